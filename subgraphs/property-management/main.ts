/** Entry point of the property-management subgraph service. */
import { main } from "../kit/serve";
import { department } from "./department";

main(department);
