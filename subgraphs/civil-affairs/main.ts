/** Entry point of the civil-affairs subgraph service. */
import { main } from "../kit/serve";
import { department } from "./department";

main(department);
