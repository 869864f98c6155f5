// Validate an AsyncAPI document with the AsyncAPI parser (the one the AsyncAPI CLI uses):
// prints every diagnostic; exits 1 when any is an error.
import { readFileSync } from "node:fs";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const path = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(path, "utf8"));
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
for (const d of diagnostics) {
  const level = ["error", "warning", "info", "hint"][d.severity];
  console.log(`${level} ${d.code} at ${d.path.join(".")}: ${d.message}`);
}
if (errors.length || !document) {
  console.error(`${path}: ${errors.length} error(s)`);
  process.exit(1);
}
const channels = document.channels().length;
const messages = document.allMessages().length;
console.log(`${path}: valid AsyncAPI ${document.version()} (${channels} channels, ${messages} messages)`);
