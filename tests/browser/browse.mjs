// Drive Syncline's GraphiQL page in headless Debian Chromium (through playwright-core) the way a
// person would, with no internet: open the page, check the API key sits in the headers editor,
// run a query, wait for its result and take a screenshot.
//
// Usage:
//   node tests/browser/browse.mjs --url http://127.0.0.1:8000/graphql \
//     --expect '"__typename": "Query"' --screenshot /tmp/graphiql.png \
//     [--query '{ __typename }'] [--api-key da2-syncline-local-example-key] [--timeout 30000]
//
// Prints one JSON summary line on stdout. Exit status: 0 when every check passed, 1 when one
// failed (the reason is also on stderr), 2 for bad usage or a browser that cannot start.
// Fails on any request to a host other than 127.0.0.1, any failed request or HTTP error status,
// any uncaught page error and any console error (CSP violations are console errors).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
// Flags that work as root on a machine with no network (shared/REAL-COMPONENTS.md).
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const LOCAL_HOST = "127.0.0.1";

function usage(message) {
  process.stderr.write(
    `browse.mjs: ${message}\nusage: node tests/browser/browse.mjs --url URL --expect TEXT ` +
      "--screenshot PATH [--query QUERY] [--api-key KEY] [--timeout MS]\n",
  );
  process.exit(2);
}

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: "string" },
        expect: { type: "string" },
        screenshot: { type: "string" },
        query: { type: "string", default: "{ __typename }" },
        "api-key": { type: "string", default: "da2-syncline-local-example-key" },
        timeout: { type: "string", default: "30000" },
      },
      strict: true,
    }));
  } catch (error) {
    usage(error.message);
  }
  for (const required of ["url", "expect", "screenshot"]) {
    if (!values[required]) usage(`--${required} is required`);
  }
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) usage("--timeout must be a positive number");
  return { ...values, apiKey: values["api-key"], timeout };
}

/** A network URL (not data:, blob:, about:) whose host is not the local server. */
function isExternal(rawUrl) {
  let url;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) return false;
  return url.hostname !== LOCAL_HOST;
}

/** The text of the CodeMirror 5 editor inside `selector`, or null when it is absent or hidden. */
function editorValue(page, selector) {
  return page.evaluate((sel) => {
    const wrapper = document.querySelector(`${sel} .CodeMirror`);
    if (!wrapper || !wrapper.CodeMirror || wrapper.offsetParent === null) return null;
    return wrapper.CodeMirror.getValue();
  }, selector);
}

const QUERY_EDITOR = ".graphiql-query-editor";
const HEADERS_EDITOR = 'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)';
const RESPONSE_EDITOR = ".graphiql-response";

async function main() {
  const options = parseOptions();
  const started = Date.now();
  const timings = {};
  const mark = (name) => {
    timings[name] = Date.now() - started;
  };
  const summary = {
    ok: false,
    url: options.url,
    requests: 0,
    externalRequests: [],
    failedRequests: [],
    httpErrors: [],
    pageErrors: [],
    consoleErrors: [],
    headersTabOpenAtLoad: null,
    headers: null,
    response: null,
    screenshot: null,
    browserVersion: null,
    timingsMs: timings,
  };
  const problems = [];
  const userDataDir = mkdtempSync(join(tmpdir(), "syncline-chromium-"));
  let context;
  try {
    try {
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        viewport: { width: 1280, height: 800 },
        timeout: options.timeout,
      });
    } catch (error) {
      process.stderr.write(`browse.mjs: cannot start ${CHROMIUM}: ${error.message}\n`);
      process.exit(2);
    }
    mark("browserStarted");
    summary.browserVersion = context.browser()?.version() ?? null;

    // Nothing may leave the machine: record, then refuse, every request for another host.
    await context.route(
      (url) => isExternal(url.href),
      (route) => route.abort("blockedbyclient"),
    );
    context.on("request", (request) => {
      summary.requests += 1;
      if (isExternal(request.url())) summary.externalRequests.push(request.url());
    });
    context.on("requestfailed", (request) => {
      if (isExternal(request.url())) return; // already reported as external
      summary.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`);
    });
    context.on("response", (response) => {
      if (response.status() >= 400) summary.httpErrors.push(`${response.status()} ${response.url()}`);
    });

    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(options.timeout);
    page.on("websocket", (socket) => {
      summary.requests += 1;
      if (isExternal(socket.url())) summary.externalRequests.push(socket.url());
    });
    page.on("pageerror", (error) => summary.pageErrors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error") summary.consoleErrors.push(message.text());
    });

    const step = async (name, action) => {
      try {
        await action();
        mark(name);
        return true;
      } catch (error) {
        problems.push(`${name}: ${error.message.split("\n")[0]}`);
        return false;
      }
    };

    const steps = [
      [
        "pageLoaded",
        async () => {
          const response = await page.goto(options.url, { waitUntil: "load" });
          if (!response || !response.ok()) throw new Error(`GET ${options.url} answered ${response?.status()}`);
          const type = response.headers()["content-type"] ?? "";
          if (!type.startsWith("text/html")) throw new Error(`GET ${options.url} answered ${type}, not HTML`);
        },
      ],
      [
        "editorReady",
        async () => {
          // Stuck on "Loading…" means a script did not load or GraphiQL did not render.
          try {
            await page.waitForFunction(
              (sel) => !!document.querySelector(`${sel} .CodeMirror`)?.CodeMirror,
              QUERY_EDITOR,
            );
          } catch (error) {
            const shown = await page.evaluate(() => document.body?.innerText ?? "").catch(() => "");
            throw new Error(
              `GraphiQL's query editor never appeared (${error.message.split("\n")[0]}); ` +
                `the page shows ${JSON.stringify(shown.trim().slice(0, 200))}`,
            );
          }
        },
      ],
      [
        "headersChecked",
        async () => {
          summary.headersTabOpenAtLoad = (await editorValue(page, HEADERS_EDITOR)) !== null;
          await page.click('.graphiql-editor-tools button[data-name="headers"]');
          await page.waitForSelector(`${HEADERS_EDITOR} .CodeMirror`, { state: "visible" });
          summary.headers = await editorValue(page, HEADERS_EDITOR);
          let parsed;
          try {
            parsed = JSON.parse(summary.headers ?? "");
          } catch {
            throw new Error(`headers editor is not JSON: ${JSON.stringify(summary.headers)}`);
          }
          if (parsed["x-api-key"] !== options.apiKey) {
            throw new Error(
              `headers editor lacks "x-api-key": ${JSON.stringify(options.apiKey)}; ` +
                `it holds ${JSON.stringify(summary.headers)}`,
            );
          }
        },
      ],
      [
        "queryRun",
        async () => {
          await page.evaluate(
            ([sel, query]) => document.querySelector(`${sel} .CodeMirror`).CodeMirror.setValue(query),
            [QUERY_EDITOR, options.query],
          );
          await page.click("button.graphiql-execute-button");
        },
      ],
      [
        "resultShown",
        async () => {
          try {
            await page.waitForFunction(
              ([sel, expected]) => {
                const value = document.querySelector(`${sel} .CodeMirror`)?.CodeMirror?.getValue() ?? "";
                return value.includes(expected);
              },
              [RESPONSE_EDITOR, options.expect],
            );
          } catch (error) {
            throw new Error(
              `the result pane never showed ${JSON.stringify(options.expect)} ` +
                `(${error.message.split("\n")[0]}); it shows ` +
                JSON.stringify(await editorValue(page, RESPONSE_EDITOR)),
            );
          } finally {
            summary.response = await editorValue(page, RESPONSE_EDITOR);
          }
        },
      ],
    ];
    for (const [name, action] of steps) {
      if (!(await step(name, action))) break;
    }

    // A screenshot even after a failure: it shows what a person would have seen.
    await step("screenshotTaken", async () => {
      await page.screenshot({ path: options.screenshot });
      summary.screenshot = options.screenshot;
    });
  } finally {
    await context?.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  }

  if (summary.externalRequests.length) {
    problems.push(`requests left 127.0.0.1: ${summary.externalRequests.join(", ")}`);
  }
  for (const [key, label] of [
    ["failedRequests", "failed requests"],
    ["httpErrors", "HTTP errors"],
    ["pageErrors", "uncaught page errors"],
    ["consoleErrors", "console errors"],
  ]) {
    if (summary[key].length) problems.push(`${label}: ${summary[key].join(" | ")}`);
  }
  mark("total");
  summary.ok = problems.length === 0;
  summary.problems = problems;
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (!summary.ok) {
    process.stderr.write(`browse.mjs: GraphiQL check failed:\n  - ${problems.join("\n  - ")}\n`);
    process.exit(1);
  }
}

await main();
