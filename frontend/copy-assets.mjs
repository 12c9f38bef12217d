// Copy GOV.UK Frontend's JavaScript next to our CSS; no fonts or crown images are copied.
import { copyFileSync, mkdirSync } from "node:fs";

const out = "src/tocsin/server/web/static/tocsin/build";
mkdirSync(out, { recursive: true });
copyFileSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend.min.js`);
