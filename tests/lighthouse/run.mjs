// Lighthouse (mobile: a mid-range phone, simulated slow 4G and a 4x slower CPU) on each page given,
// one after the other in one Chromium: Debian's, from CHROME_PATH (never a downloaded browser).
//
//   node run.mjs BASE_URL REPORT_FOLDER name=/path name=/path ...
//
// Prints one JSON object: by name, the four category scores (0-100), the metrics, the scored audits
// that did not pass, and every request the page made (for the weight budget and the hosts asked).
// Writes each page's full HTML report into REPORT_FOLDER (a CI artifact).
import fs from "node:fs";
import path from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [base, reports, ...pages] = process.argv.slice(2);
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
  "speed-index"];

function summary(lhr) {
  const scores = {};
  const failed = {};
  for (const id of CATEGORIES) {
    const category = lhr.categories[id];
    scores[id] = category.score === null ? null : Math.round(category.score * 100);
    failed[id] = category.auditRefs
      .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
      .map((ref) => `${ref.id} (${lhr.audits[ref.id].score}): ${lhr.audits[ref.id].displayValue || lhr.audits[ref.id].title}`);
  }
  const metrics = Object.fromEntries(METRICS.map((id) => [id, lhr.audits[id].numericValue]));
  const requests = (lhr.audits["network-requests"].details?.items || []).map((r) => ({
    url: r.url, resourceType: r.resourceType, transferSize: r.transferSize, resourceSize: r.resourceSize,
    statusCode: r.statusCode,
  }));
  return {
    url: lhr.finalDisplayedUrl, scores, failed, metrics, requests,
    textCompression: lhr.audits["uses-text-compression"].score,
    runtimeError: lhr.runtimeError?.message || null, warnings: lhr.runWarnings,
    lighthouse: lhr.lighthouseVersion, benchmarkIndex: lhr.environment.benchmarkIndex,
    formFactor: lhr.configSettings.formFactor, throttling: lhr.configSettings.throttlingMethod,
  };
}

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const out = {};
try {
  fs.mkdirSync(reports, { recursive: true });
  // One audit first, not reported: the first in a fresh Chromium pays for its start. In one run of the suite
  // the home page, audited first, scored 72 (2.2 s of blocking time on a page without a script), and 95–100
  // in the runs after.
  const first = pages[0];
  await lighthouse(base + first.slice(first.indexOf("=") + 1), {
    port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"],
    disableFullPageScreenshot: true,
  });
  for (const item of pages) {
    const [name, rel] = [item.slice(0, item.indexOf("=")), item.slice(item.indexOf("=") + 1)];
    const started = Date.now();
    const result = await lighthouse(base + rel, {
      port: chrome.port, output: "html", logLevel: "error", onlyCategories: CATEGORIES,
      disableFullPageScreenshot: true,
    });
    fs.writeFileSync(path.join(reports, `${name}.html`), result.report);
    out[name] = { ...summary(result.lhr), seconds: (Date.now() - started) / 1000 };
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(out));
