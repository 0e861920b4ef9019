// A headless Chromium (Debian's /usr/bin/chromium) for the integration tests, driven by
// playwright-core over stdin/stdout: one JSON command per line in, one JSON answer per line out.
"use strict";
const readline = require("readline");
const { chromium } = require("playwright-core");

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  // The test server's certificate comes from its own throw-away CA.
  const consoleErrors = [];
  async function open(cookies) {
    const c = await browser.newContext({ ignoreHTTPSErrors: true, locale: process.env.LOCALE || "en-US" });
    if (cookies && cookies.length) await c.addCookies(cookies);
    const p = await c.newPage();
    p.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
    return { context: c, page: p };
  }
  // Several contexts (separate cookie jars, like separate browsers) may be open; commands act
  // on the current one.
  const contexts = [await open()];
  let context = contexts[0].context;
  let page = contexts[0].page;

  const commands = {
    async goto({ url }) {
      const response = await page.goto(url);
      return { status: response ? response.status() : 0, url: page.url() };
    },
    async fill({ selector, value }) {
      await page.fill(selector, value);
      return {};
    },
    async check({ selector }) {
      await page.check(selector, { timeout: 15000 });
      return {};
    },
    async click({ selector }) {
      const [response] = await Promise.all([
        page.waitForNavigation({ timeout: 15000 }).catch(() => null),
        page.click(selector),
      ]);
      return { status: response ? response.status() : 0, url: page.url() };
    },
    // Waits until the page has committed a navigation to a URL starting with `prefix` and
    // finished loading it, so the next command never races a redirect still under way.
    async wait_url({ prefix }) {
      await page.waitForURL((u) => u.href.startsWith(prefix), { timeout: 15000, waitUntil: "load" });
      return { url: page.url() };
    },
    async eval({ script }) {
      return { value: await page.evaluate(script) };
    },
    async attr({ selector, name }) {
      await page.waitForSelector(selector, { timeout: 15000 });
      return { value: await page.getAttribute(selector, name) };
    },
    async state() {
      return { url: page.url(), html: await page.content(), consoleErrors };
    },
    async cookies() {
      return { cookies: await context.cookies() };
    },
    // A fresh context holding only `cookies` (e.g. what a browser restart keeps); it becomes
    // the current one. The others stay open.
    async new_context({ cookies }) {
      contexts.push(await open(cookies));
      ({ context, page } = contexts[contexts.length - 1]);
      return { index: contexts.length - 1 };
    },
    async use_context({ index }) {
      if (!contexts[index]) throw new Error(`no context ${index}`);
      ({ context, page } = contexts[index]);
      return {};
    },
    async screenshot({ path }) {
      await page.screenshot({ path, fullPage: true });
      return {};
    },
    async close() {
      await browser.close();
      return {};
    },
  };

  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    let answer;
    try {
      const command = JSON.parse(line);
      answer = { ok: true, ...(await commands[command.cmd](command)) };
    } catch (e) {
      answer = { ok: false, error: String(e && e.stack ? e.stack : e) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
    if (answer.ok && JSON.parse(line).cmd === "close") break;
  }
  await browser.close().catch(() => {});
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(e) }) + "\n");
  process.exit(1);
});
