/** Entry point of the public-security subgraph service. */
import { main } from "../kit/serve";
import { department } from "./department";

main(department);
