// Starts GOV.UK Frontend's components (skip link, error summary, header menu toggle...).
import { initAll } from "./govuk-frontend.min.js";

initAll();
