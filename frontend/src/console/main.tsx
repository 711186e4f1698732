// Placeholder: the console entry point (replaced by the console implementation).
import { render } from "preact";

render(<main>wsChat console</main>, document.getElementById("app")!);
