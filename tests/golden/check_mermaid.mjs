// Parses every golden Mermaid output with Mermaid's own parser (the one GitHub renders with),
// under jsdom. The packages come from the npm registry into a folder given as argv[2]:
//   npm install --prefix build/mermaid-check mermaid@10 jsdom@22
// Exits 77 (skipped) when they are not installed there.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const SKIPPED = 77;
const [modulesPrefix, expectedDir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modulesPrefix), "node_modules", "x.js"));
let mermaidEntry, jsdomEntry;
try {
  mermaidEntry = require.resolve("mermaid");
  jsdomEntry = require.resolve("jsdom");
} catch {
  console.log(`skipped: mermaid and jsdom are not installed in ${modulesPrefix} ` +
              `(npm install --prefix ${modulesPrefix} mermaid@10 jsdom@22)`);
  process.exit(SKIPPED);
}
const { JSDOM } = await import(pathToFileURL(jsdomEntry));
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import(pathToFileURL(mermaidEntry))).default;
mermaid.initialize({ startOnLoad: false });

const outputs = fs.readdirSync(expectedDir).filter((f) => f.endsWith(".mermaid")).sort();
if (outputs.length === 0) {
  console.log("no golden .mermaid outputs found");
  process.exit(1);
}
let failed = 0;
for (const name of outputs) {
  const text = fs.readFileSync(path.join(expectedDir, name), "utf8");
  const body = text.slice(text.indexOf("\n") + 1); // first line is "exit: N"
  try {
    await mermaid.parse(body);
  } catch (e) {
    failed++;
    console.log(`${name}: ${String(e.message || e).split("\n").slice(0, 3).join(" | ")}`);
  }
}
console.log(`${outputs.length} mermaid outputs parsed, ${failed} failed`);
process.exit(failed ? 1 : 0);
