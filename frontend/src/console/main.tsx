// The agent and admin console: a single-page app served by wsChat under /console/.
import { render } from "preact";
import { controller } from "./controller";
import { App } from "./ui/App";
import "./console.css";

render(<App />, document.getElementById("app")!);
void controller.start();
