// Placeholder: the widget entry point (replaced by the widget implementation).
import { render } from "preact";

const host = document.createElement("div");
document.body.appendChild(host);
render(<div>wsChat</div>, host.attachShadow({ mode: "open" }));
