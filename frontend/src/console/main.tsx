// The agent and admin console: a single-page app served by wsChat under /console/.
import { render } from "preact";
import { controller } from "./controller";
import { lang } from "./language";
import { App } from "./ui/App";
import "./console.css";

document.documentElement.lang = lang;
render(<App />, document.getElementById("app")!);
void controller.start();
