// TypeScript types of every contract model, from contracts/schema/contracts.json:
//   node generate-types.mjs <out.ts>
import { readFileSync, writeFileSync } from "node:fs";
import { compile } from "json-schema-to-typescript";

const schema = JSON.parse(readFileSync(new URL("../schema/contracts.json", import.meta.url)));

// pydantic titles every field ("Run Id"); as a type name that would make an alias per field
// (RunId4, At15): only the models keep their titles, fields are inlined.
function untitle(schema) {
  if (Array.isArray(schema)) return schema.forEach(untitle);
  if (schema === null || typeof schema !== "object") return;
  delete schema.title;
  for (const [key, value] of Object.entries(schema)) {
    if (key === "properties") Object.values(value).forEach(untitle); // (a field may be "title")
    else if (typeof value === "object") untitle(value);
  }
}
for (const model of Object.values(schema.$defs)) {
  for (const field of Object.values(model.properties ?? {})) untitle(field);
}
const ts = await compile(schema, "DevTeamContracts", {
  bannerComment:
    "/* Generated from contracts/schema/contracts.json by contracts/ts/generate-types.mjs:\n" +
    " * do not edit (make schema regenerates it). */",
  unreachableDefinitions: true,
  additionalProperties: false,
  strictIndexSignatures: true,
});
writeFileSync(process.argv[2], ts);
