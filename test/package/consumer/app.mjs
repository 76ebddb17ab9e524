// The app `phial routes` and `phial run` load: JavaScript, so no TypeScript loader is needed.
import { Phial } from "phial";

export const app = new Phial();
app.get("/", { endpoint: "index" }, () => "served by phial run");
app.post("/items", { endpoint: "create_item" }, () => ({ created: true }));
