// Starts GOV.UK Frontend's components (tabs, service navigation's menu, error summary,
// notification banner...) on every page. Every page works without it.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
