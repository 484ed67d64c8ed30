// Page tests: the built UI over the mock backend (mockIPC) in headless Chromium. They check
// what the UI asks the backend and what it shows, and measure scrolling over 100,000 rows.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, serve, runCases } from "../chromium.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, "../../dist-mock");
const shots = path.resolve(here, "../../../target/screenshots");
fs.mkdirSync(shots, { recursive: true });

const server = await serve(dist);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on("pageerror", (e) => console.log("page error:", e.message));

const calls = (cmd) => page.evaluate((c) => window.__mock.backend.calls.filter((x) => x.cmd === c), cmd);
const lastCall = async (cmd) => (await calls(cmd)).at(-1);
const clearCalls = () => page.evaluate(() => (window.__mock.backend.calls = []));
const rowId = (i) => i.toString(16).padStart(64, "0");

async function open(rows) {
  await page.goto(`${server.url}/mock.html?rows=${rows}`);
  await page.waitForSelector(".row[data-id]");
}

const cases = [
  ["an unsure category reads as a guess, and the filter lists the guesses", async () => {
    await open(200);
    // Row 7 is an unsure guess in the mock (i % 13 === 7); row 0 is sure.
    const guess = page.locator(`.row[data-id="${rowId(7)}"] .category`);
    assert.match(await guess.textContent(), /^\w+\?/);
    assert.equal(await guess.evaluate((e) => e.classList.contains("unsure")), true);
    assert.doesNotMatch(await page.textContent(`.row[data-id="${rowId(0)}"] .category`), /\?/);
    await page.selectOption('select[aria-label="Category"]', "unsure");
    assert.equal((await lastCall("search_samples")).args.query.category, "unsure");
    await page.waitForSelector(`.row[data-id="${rowId(20)}"]`);
    const shown = await page.locator(".row[data-id] .category.unsure").count();
    assert.equal(shown, await page.locator(".row[data-id]").count());
    assert.ok(shown > 0);
    await page.selectOption('select[aria-label="Category"]', "");
  }],
  ["a 100,000-row library renders only the visible rows", async () => {
    await open(100_000);
    assert.equal(await page.textContent('[data-testid="count"]'), "100,000 samples");
    const dom = await page.locator(".row").count();
    assert.ok(dom > 10 && dom < 80, `rows in the DOM: ${dom}`);
    await page.screenshot({ path: path.join(shots, "page-library.png") });
  }],
  ["scrolling 100,000 rows: frame times, and the last row arrives", async () => {
    // The peer: the same frame loop with nothing scrolling, in the same browser and run.
    const measure = (scroll) => page.evaluate(async (scroll) => {
      const vp = document.querySelector('[data-testid="table-viewport"]');
      const frames = [];
      let last = performance.now();
      const end = last + 3000;
      const step = vp.scrollHeight / 180;
      await new Promise((done) => {
        const tick = (t) => {
          frames.push(t - last);
          last = t;
          if (scroll) vp.scrollTop += step;
          if (t < end) requestAnimationFrame(tick);
          else done();
        };
        requestAnimationFrame(tick);
      });
      frames.sort((a, b) => a - b);
      const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))];
      if (scroll) vp.scrollTop = vp.scrollHeight;
      return { n: frames.length, p50: q(0.5), p95: q(0.95), max: frames.at(-1) };
    }, scroll);
    const idle = await measure(false);
    const r = await measure(true);
    const fmt = (x) => `${x.n} frames, p50 ${x.p50.toFixed(1)} ms, p95 ${x.p95.toFixed(1)} ms, max ${x.max.toFixed(1)} ms`;
    console.log(`     idle page (peer): ${fmt(idle)}`);
    console.log(`     scrolling 100k rows: ${fmt(r)}; p50 ratio to idle ${(r.p50 / idle.p50).toFixed(2)}x`);
    await page.waitForSelector('.row[aria-rowindex="100000"][data-id]', { timeout: 5000 });
    const pages = (await calls("search_samples")).length;
    assert.ok(pages < 400, `pages fetched while scrolling: ${pages}`);
  }],
  ["click plays at once; arrows move and play; space stops", async () => {
    await open(1000);
    await clearCalls();
    await page.click(`.row[data-id="${rowId(3)}"]`);
    assert.equal((await lastCall("play_sample")).args.id, rowId(3));
    await page.waitForSelector('[data-testid="waveform"][data-columns="600"]');
    assert.match(await page.textContent('[data-testid="detail"] h3'), /_000003\.wav/);
    await page.keyboard.press("ArrowDown");
    assert.equal((await lastCall("play_sample")).args.id, rowId(4));
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    assert.equal((await lastCall("play_sample")).args.id, rowId(2));
    // A click on the waveform plays from there: half way along a 0.4 s sound is 0.2 s.
    const wave = await page.$('[data-testid="waveform"] canvas');
    const box = await wave.boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const from = (await lastCall("play_sample")).args;
    assert.equal(from.id, rowId(2));
    assert.ok(Math.abs(from.startS - 0.2) < 0.01, `start ${from.startS}`);
    await page.keyboard.press("l");
    await page.keyboard.press("ArrowDown");
    assert.equal((await lastCall("play_sample")).args.looped, true);
    assert.equal((await lastCall("play_sample")).args.startS, null);
    await page.keyboard.press(" ");
    assert.equal((await calls("stop_audio")).length, 1);
    await page.screenshot({ path: path.join(shots, "page-detail.png") });
  }],
  ["sync: the project's tempo and key, S toggles it, a synced loop drags its render", async () => {
    await open(1000);
    await clearCalls();
    await page.fill('input[aria-label="Project tempo"]', "128");
    await page.press('input[aria-label="Project tempo"]', "Enter");
    await page.locator('input[aria-label="Project tempo"]').evaluate((e) => e.blur());
    assert.equal((await lastCall("set_project")).args.project.bpm, 128);
    await page.selectOption('select[aria-label="Project key"]', "F minor");
    assert.equal((await lastCall("set_project")).args.project.key, "F minor");
    await page.locator('select[aria-label="Project key"]').evaluate((e) => e.blur());
    await page.keyboard.press("s");
    await page.waitForSelector('[data-testid="project"] button.on');
    assert.deepEqual((await lastCall("set_project")).args.project, { bpm: 128, key: "F minor", sync: true });
    // Row 0 is a loop in the mock: it plays in sync, and the status says how.
    await page.click(`.row[data-id="${rowId(0)}"]`);
    await page.waitForSelector('[data-testid="status"] >> text=in sync: 4 bars at 128 BPM, F minor (-4 st)');
    await page.waitForFunction(() => window.__mock.backend.calls.some((c) => c.cmd === "render_heard"));
    // A drag of the row now delivers the render, named with the project's tempo and key.
    const dragged = async (id) => page.evaluate((id) => {
      const dt = new DataTransfer();
      document.querySelector(`.row[data-id="${id}"]`).dispatchEvent(new DragEvent("dragstart", { dataTransfer: dt, bubbles: true }));
      return dt.getData("text/plain");
    }, id);
    let file = "";
    for (let i = 0; i < 50 && !file.endsWith("128bpm F minor.wav"); i++) {
      file = await dragged(rowId(0));
      await page.waitForTimeout(20);
    }
    assert.match(file, /synced\/.*kick_000000 128bpm F minor\.wav$/);
    // A one-shot without a root note plays as it is, and says why; its drag is the file itself.
    await page.click(`.row[data-id="${rowId(1)}"]`);
    await page.waitForSelector('[data-testid="status"] >> text=plays as it is; no root note');
    assert.equal(await dragged(rowId(1)), "/samples/pack_0/snare_000001.wav");
    // A one-shot with a root note plays at the note chosen for it, and drags that render.
    const pitched = await page.evaluate(() => window.__mock.backend.rows.findIndex((r) => r.root_note && !r.is_loop));
    assert.ok(pitched >= 0 && pitched < 40, `a pitched one-shot near the top: ${pitched}`);
    await page.click(`.row[data-id="${rowId(pitched)}"]`);
    await page.selectOption('select[aria-label="Play as note"]', "C3");
    await page.waitForSelector('[data-testid="status"] >> text=in sync: C3 (+2 st)');
    assert.equal((await lastCall("play_sample")).args.note, "C3");
    await page.waitForFunction(() => window.__mock.backend.calls.some((c) => c.cmd === "render_heard" && c.args.note === "C3"));
    await page.locator('select[aria-label="Play as note"]').evaluate((e) => e.blur());
    await page.keyboard.press("s");
    await page.waitForSelector('[data-testid="project"] button:not(.on)');
    assert.equal((await lastCall("set_project")).args.project.sync, false);
  }],
  ["a drag on the waveform selects the part that plays; arrows nudge it; × takes it off", async () => {
    await open(1000);
    await page.click(`.row[data-id="${rowId(3)}"]`);
    await page.waitForSelector('[data-testid="waveform"][data-columns="600"]');
    await clearCalls();
    const box = await (await page.$('[data-testid="waveform"] canvas')).boundingBox();
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.75, y, { steps: 4 });
    await page.mouse.up();
    // Row 3 lasts 0.5 s in the mock: a quarter to three quarters is 125–375 ms.
    const g = (await lastCall("mark_sample")).args.edit.region;
    assert.ok(Math.abs(g.startMs - 125) <= 3 && Math.abs(g.endMs - 375) <= 3, JSON.stringify(g));
    await page.waitForSelector(`[data-testid="waveform"][data-region="${g.startMs}-${g.endMs}"]`);
    // Selecting plays it, and what is heard is rendered for a drag.
    await page.waitForFunction(() => window.__mock.backend.calls.some((c) => c.cmd === "play_sample"));
    await page.waitForFunction(() => window.__mock.backend.calls.some((c) => c.cmd === "render_heard"));
    await page.keyboard.press("ArrowRight");
    await page.waitForSelector(`[data-testid="waveform"][data-region="${g.startMs + 10}-${g.endMs + 10}"]`);
    await page.keyboard.press("Shift+ArrowLeft");
    await page.waitForSelector(`[data-testid="waveform"][data-region="${g.startMs - 90}-${g.endMs - 90}"]`);
    assert.deepEqual((await lastCall("mark_sample")).args.edit.region, { startMs: g.startMs - 90, endMs: g.endMs - 90 });
    await page.click('[data-testid="region"]');
    await page.waitForSelector('[data-testid="waveform"][data-region=""]');
    assert.equal((await lastCall("mark_sample")).args.edit.region, null);
    // Played from a MIDI input: on for this row, it follows the selection, and goes off.
    await page.click('[data-testid="pads"]');
    await page.waitForSelector('[data-testid="pads"].on');
    assert.equal((await lastCall("start_pads")).args.id, rowId(3));
    await page.waitForSelector('[data-testid="status"] >> text=plays from MIDI input Mock Keys MIDI 1');
    await page.click(`.row[data-id="${rowId(5)}"]`);
    await page.waitForFunction(() => window.__mock.backend.pads === "0".repeat(63) + "5");
    await page.click('[data-testid="pads"]');
    await page.waitForSelector('[data-testid="pads"]:not(.on)');
    assert.equal((await calls("stop_pads")).length, 1);
    await page.click(`.row[data-id="${rowId(3)}"]`);
    await page.waitForSelector('[data-testid="waveform"][data-columns="600"]');
    // A click (no drag) still plays from where it lands.
    await clearCalls();
    await page.mouse.click(box.x + box.width / 2, y);
    assert.ok(Math.abs((await lastCall("play_sample")).args.startS - 0.25) < 0.01);
    assert.equal((await calls("mark_sample")).length, 0);
  }],
  ["filters, chips and sorting reach the backend", async () => {
    await clearCalls();
    await page.click("text=Loops");
    await page.waitForSelector('[data-testid="chips"] .chip');
    assert.equal((await lastCall("search_samples")).args.query.isLoop, true);
    const loops = await page.textContent('[data-testid="count"]');
    assert.notEqual(loops, "1,000 samples");
    await page.click('button.h.bpm');
    const q = (await lastCall("search_samples")).args.query;
    assert.equal(q.sort, "bpm");
    assert.equal(q.descending, false);
    await page.fill("#search", "punchy");
    await page.press("#search", "Enter");
    assert.equal((await lastCall("search_samples")).args.query.text, "punchy");
    await page.click('[aria-label="remove Loops"]');
    assert.equal((await lastCall("search_samples")).args.query.isLoop, null);
  }],
  ["a search in words becomes visible filters", async () => {
    await page.click('button[title="Read the search with the language model"]');
    await page.fill("#search", "dark punchy kick around 128 bpm in A minor");
    await page.press("#search", "Enter");
    await page.waitForSelector("text=126–130 BPM");
    const q = (await lastCall("search_samples")).args.query;
    assert.deepEqual([q.category, q.key, q.bpmMin, q.bpmMax], ["kick", "A minor", 126, 130]);
    await page.click("text=Clear");
  }],
  ["BPM ×2 and ÷2 store a correction", async () => {
    await page.fill("#search", "");
    await page.click('button[title="Read the search with the language model"]');
    await page.click(`.row[data-id="${rowId(0)}"]`);
    await page.waitForSelector('[data-testid="bpm"] button[title="Double time"]');
    const before = Number((await page.textContent('[data-testid="bpm"] b')).trim());
    await page.click('[data-testid="bpm"] button[title="Double time"]');
    assert.equal((await lastCall("correct_bpm")).args.bpm, before * 2);
    await page.waitForSelector("text=reset");
  }],
  ["setting a category stores a correction and reloads the table", async () => {
    await page.click(`.row[data-id="${rowId(1)}"]`);
    await page.waitForSelector('select[aria-label="Set category"]');
    await clearCalls();
    await page.selectOption('select[aria-label="Set category"]', "synth");
    const c = await lastCall("correct_category");
    assert.deepEqual([c.args.id, c.args.category], [rowId(1), "synth"]);
    await page.waitForSelector('[data-testid="category"] >> text=set by you');
    assert.ok((await calls("search_samples")).length > 0, "the table reloads: the pack's other rows may have changed");
    await page.selectOption('select[aria-label="Set category"]', "");
    assert.equal((await lastCall("correct_category")).args.category, null);
    await page.selectOption('select[aria-label="Set key"]', "F# minor");
    assert.deepEqual((await lastCall("correct_key")).args, { id: rowId(1), key: "F# minor" });
    await page.fill('input[aria-label="Set root note"]', "F#1");
    await page.press('input[aria-label="Set root note"]', "Enter");
    assert.deepEqual((await lastCall("correct_root")).args, { id: rowId(1), root: "F#1" });
    await page.click('button[aria-label="Loop or one-shot"]');
    assert.equal(typeof (await lastCall("correct_loop")).args.isLoop, "boolean");
  }],
  ["F stars the selected row; rating, colour, tags and a collection reach the backend and filter", async () => {
    await page.click(`.row[data-id="${rowId(2)}"]`);
    await page.waitForSelector('[data-testid="marks"]');
    await clearCalls();
    await page.keyboard.press("f");
    const star = await lastCall("mark_sample");
    assert.deepEqual([star.args.id, star.args.edit.favourite, "colour" in star.args.edit], [rowId(2), true, false]);
    await page.waitForSelector(`.row[data-id="${rowId(2)}"] .star.on`);
    await page.click('[aria-label="4 stars"]');
    assert.equal((await lastCall("mark_sample")).args.edit.rating, 4);
    await page.click('[aria-label="Colour blue"]');
    assert.equal((await lastCall("mark_sample")).args.edit.colour, "blue");
    await page.fill('input[aria-label="Add a tag"]', "Dusty");
    await page.press('input[aria-label="Add a tag"]', "Enter");
    assert.deepEqual((await lastCall("mark_sample")).args.edit.addTags, ["Dusty"]);
    await page.waitForSelector('[data-testid="tags"] .tag.mine >> text=dusty');
    await page.fill('input[aria-label="Add to collection"]', "Track 12");
    await page.click('[data-testid="detail"] button:has-text("Add")');
    assert.deepEqual((await lastCall("add_to_collection")).args, { name: "Track 12", ids: [rowId(2)] });
    await page.waitForSelector("text=in Track 12 (1)");
    await page.screenshot({ path: path.join(shots, "page-marks.png") });

    await page.click('button[aria-label="Favourites only"]');
    await page.waitForSelector("text=★ Favourites");
    assert.equal((await lastCall("search_samples")).args.query.favourite, true);
    await page.waitForSelector('[data-testid="count"] >> text=1 samples');
    await page.click('[data-testid="tags"] .tagname >> text=dusty');
    assert.deepEqual((await lastCall("search_samples")).args.query.tags, ["dusty"]);
    await page.click("text=Clear");
    await page.selectOption('select[aria-label="Collection"]', "Track 12");
    assert.equal((await lastCall("search_samples")).args.query.collection, "Track 12");
    await page.waitForSelector('[data-testid="count"] >> text=1 samples');
    await page.click("text=Clear");
    // Taking the star off from the table.
    await page.click(`.row[data-id="${rowId(2)}"] .star`);
    assert.equal((await lastCall("mark_sample")).args.edit.favourite, false);
  }],
  ["Ctrl- and Shift-click pick rows, and the selection pane marks them all", async () => {
    await page.click(`.row[data-id="${rowId(5)}"]`);
    await page.click(`.row[data-id="${rowId(8)}"]`, { modifiers: ["Shift"] });
    await page.waitForSelector('[data-testid="selection"] >> text=4 samples selected');
    await page.click(`.row[data-id="${rowId(6)}"]`, { modifiers: ["Control"] });
    await page.waitForSelector('[data-testid="selection"] >> text=3 samples selected');

    await clearCalls();
    await page.click("text=★ Star all");
    const m = await lastCall("mark_samples");
    assert.deepEqual([m.args.ids, m.args.edit.favourite], [[rowId(5), rowId(7), rowId(8)], true]);
    await page.waitForSelector('[data-testid="selection-note"] >> text=starred: 3 changed');
    await page.fill('input[aria-label="Tag all"]', "lofi");
    await page.press('input[aria-label="Tag all"]', "Enter");
    assert.deepEqual((await lastCall("mark_samples")).args.edit.addTags, ["lofi"]);
    await page.selectOption('select[aria-label="Set category of all"]', "pad");
    assert.deepEqual((await lastCall("correct_samples_category")).args, { ids: [rowId(5), rowId(7), rowId(8)], category: "pad" });
    await page.screenshot({ path: path.join(shots, "page-selection.png") });
    // Export copies of the selection: a preview writes nothing, then the export asks for
    // the chosen processing.
    await page.click("text=Export copies…");
    await page.waitForSelector('[data-testid="export-dialog"]');
    await page.fill('input[aria-label="Export folder"]', "/home/me/Track 12");
    await page.check("text=Trim silence");
    await page.selectOption('select[aria-label="Normalise"]', "-16");
    await page.selectOption('select[aria-label="Format"]', "flac");
    await page.click("text=Preview names");
    await page.waitForSelector('[data-testid="export-note"] >> text=3 copies would be made');
    const dry = (await lastCall("export_samples")).args.request;
    assert.deepEqual([dry.dry_run, dry.trim, dry.normalise_lufs, dry.format, dry.ids], [true, true, -16, "flac", [rowId(5), rowId(7), rowId(8)]]);
    await page.click('[data-testid="export-dialog"] >> text=Export');
    await page.waitForSelector('[data-testid="export-note"] >> text=3 copied (3 processed');
    assert.equal((await lastCall("export_samples")).args.request.dry_run, false);
    await page.screenshot({ path: path.join(shots, "page-export.png") });
    // Esc closes the dialog and keeps the selection.
    await page.keyboard.press("Escape");
    await page.waitForSelector('[data-testid="export-dialog"]', { state: "detached" });
    await page.click("text=Clear the selection");
    await page.waitForSelector('[data-testid="detail"]');
  }],
  ["an offline folder is relinked to its new place from the folder tree", async () => {
    await page.waitForSelector('[data-testid="offline"] >> text=offline: usb');
    await page.click('[data-testid="offline"] >> text=Relink…');
    await page.fill('input[aria-label="New place of usb"]', "/media/usb2/Old Packs");
    await page.click('[data-testid="offline"] >> button[type="submit"]');
    await page.waitForSelector('[data-testid="relink-note"] >> text=4 of 4 found again');
    assert.deepEqual((await lastCall("relink_folder")).args, { from: "/media/usb/Old Packs", to: "/media/usb2/Old Packs" });
    await page.waitForSelector('[data-testid="offline"]', { state: "detached" });
  }],
  ["the filter bar, the facet counts and the folder tree reach the backend", async () => {
    await page.click('button[title="Tempo, key, root, length, loudness"]');
    await page.waitForSelector('[data-testid="filterbar"]');
    await page.fill('input[aria-label="Lowest BPM"]', "120");
    await page.press('input[aria-label="Lowest BPM"]', "Tab");
    assert.equal((await lastCall("search_samples")).args.query.bpmMin, 120);
    await page.selectOption('select[aria-label="Key"]', "A minor");
    await page.check('input[aria-label="Compatible keys"]');
    const q = (await lastCall("search_samples")).args.query;
    assert.deepEqual([q.key, q.keyCompatible], ["A minor", true]);
    await page.waitForSelector("text=A minor + compatible");
    assert.ok((await calls("sample_facets")).length > 0, "the counts follow the query");
    await page.click("text=Clear");
    // Folders: the top one opens to show its packs; a click scopes the table.
    await page.click('[aria-label="open /samples"]');
    await page.click('[data-testid="folders"] button.name >> text=pack_1');
    assert.equal((await lastCall("search_samples")).args.query.folder, "/samples/pack_1");
    await page.waitForSelector('[data-testid="count"] >> text=500 samples');
    await page.screenshot({ path: path.join(shots, "page-filters.png") });
    await page.click('[data-testid="folders"] >> text=All folders');
    await page.click('button[title="Tempo, key, root, length, loudness"]');
  }],
  ["drag-over, scan progress and per-file errors are shown", async () => {
    await page.evaluate(() => window.__mock.emit("drop-hover", { active: true }));
    await page.waitForSelector('[data-testid="drop-overlay"]');
    await page.screenshot({ path: path.join(shots, "page-drop.png") });
    await page.evaluate(() => window.__mock.emit("drop-hover", { active: false }));
    await page.evaluate(() => window.__mock.emit("scan-progress", { phase: "analysing", done: 3, total: 10, current: "/x/a.wav" }));
    await page.waitForSelector("text=Analysing 3/10");
    await page.evaluate(() => window.__mock.emit("scan-file-failed", { path: "/x/bad.wav", kind: "truncated", message: "/x/bad.wav: truncated file" }));
    await page.waitForSelector('[data-testid="failures"]');
    await page.evaluate(() => window.__mock.emit("scan-finished", { summary: { files: 10, analysed: 9, unchanged: 0, reused: 0, failed: 1, cancelled: false, seconds: 1.2 } }));
    await page.waitForSelector("text=9 analysed");
    assert.equal(await page.locator('[data-testid="scan-progress"]').count(), 0);
  }],
  ["panels: settings, health, AI, record", async () => {
    await page.click("nav >> text=Settings");
    await page.waitForSelector("text=Allow cloud providers");
    assert.equal(await page.isChecked('input[type="checkbox"] >> nth=0'), false);
    // A key goes to the keyring through its own command, then the page forgets it.
    assert.equal(await page.locator('[data-testid="key-ollama"]').count(), 0, "Ollama takes no key");
    assert.equal(await page.textContent('[data-testid="key-source-openai"]'), "no key");
    await page.fill('input[aria-label="API key for openai"]', "sk-page-test");
    await page.click('[data-testid="key-openai"] >> text=Store in keyring');
    await page.waitForSelector('[data-testid="key-source-openai"] >> text=key in the OS keyring');
    assert.deepEqual((await lastCall("set_api_key")).args, { provider: "openai", key: "sk-page-test" });
    assert.equal(await page.inputValue('input[aria-label="API key for openai"]'), "");
    await page.click('[data-testid="key-openai"] >> text=Forget');
    await page.waitForSelector('[data-testid="key-source-openai"] >> text=no key');
    await page.click("text=Start the API");
    await page.waitForSelector('[data-testid="api-status"]');
    assert.equal((await lastCall("start_api")).args.port, 7878);
    await page.screenshot({ path: path.join(shots, "page-settings.png") });
    await page.keyboard.press("Escape");
    await page.click("nav >> text=Health");
    await page.waitForSelector('[data-testid="health-status"]');
    assert.equal(await page.textContent('[data-testid="health-note-audio"]'), "engine idle · 1 of 1 threads running");
    await page.screenshot({ path: path.join(shots, "page-health.png") });
    await page.keyboard.press("Escape");
    await page.click("nav >> text=Duplicates");
    await page.waitForSelector('[data-testid="duplicates"] >> text=2 copies');
    await page.click('[aria-label="Keep /backup/pack_0/kick_000000.wav"]');
    assert.deepEqual((await lastCall("keep_duplicate")).args, { id: "0".repeat(64), keep: "/backup/pack_0/kick_000000.wav" });
    await page.waitForSelector('[data-testid="duplicates"] >> text=hidden');
    await page.click("text=Show all");
    assert.equal((await lastCall("keep_duplicate")).args.keep, null);
    await page.keyboard.press("Escape");
    // The kit builder around the selected row: pads filled, a pad plays, the export is asked.
    await page.click(`.row[data-id="${rowId(0)}"]`);
    await page.click("nav >> text=Kit");
    await page.click("text=Suggest a kit around");
    assert.equal((await lastCall("suggest_kit")).args.id, rowId(0));
    await page.waitForSelector('[data-testid="kit-note"] >> text=2 pads filled');
    await page.click('[aria-label="Play Snare"]');
    assert.equal((await lastCall("play_sample")).args.id, rowId(1));
    await page.fill('input[aria-label="Kit folder"]', "/tmp/kits/k1");
    await page.click("text=Export (WAV + SFZ + Decent Sampler)");
    assert.deepEqual((await lastCall("export_kit")).args.dir, "/tmp/kits/k1");
    await page.waitForSelector('[data-testid="kit-note"] >> text=written:');
    await page.screenshot({ path: path.join(shots, "page-kit.png") });
    await page.keyboard.press("Escape");
    await page.click("nav >> text=Record");
    await page.waitForSelector('[data-testid="meter"]');
    await page.evaluate(() => window.__mock.emit("input-level", { peakDb: -12, rmsDb: -20, clipped: false }));
    await page.waitForSelector("text=-12.0 dBFS");
    // Find by sound: the nearest one-shots are listed; a click selects one in the table.
    await page.selectOption('select[aria-label="Find by"]', "pitch");
    await page.click('button:has-text("Find by sound")');
    await page.waitForSelector('[data-testid="found-by-sound"] li');
    assert.deepEqual((await lastCall("find_by_sound")).args, { seconds: 3, aspect: "pitch", n: 12 });
    await page.click('[data-testid="found-by-sound"] button');
    await page.waitForSelector('[data-testid="meter"]', { state: "detached" });
    assert.match(await page.textContent('[data-testid="detail"] h3'), /kick_000000\.wav/);
  }],
];

const failed = await runCases(cases);
await browser.close();
server.close();
process.exit(failed ? 1 : 0);
