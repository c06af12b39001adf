/** Entry point of the elderly-care subgraph service. */
import { main } from "../kit/serve";
import { department } from "./department";

main(department);
