// Search with the site's own index (site_builder/searchindex.py says how its files are laid out).
// The page works without this script: it lists the A to Z.
const form = document.querySelector("[data-search-form]");
const status = document.querySelector("[data-search-status]");
const list = document.querySelector("[data-search-results]");
const moreWrap = document.querySelector("[data-search-more-wrap]");
const more = document.querySelector("[data-search-more]");
const chosen = document.querySelector("[data-search-chosen]");
const FILTERS = [...document.querySelectorAll("[data-search-filters] select")].map((select) => select.name);
const PAGE = 20; // results shown at once
const EXCERPT = 24; // words in a result's excerpt
const ENTRY = new URL(form.dataset.index, location.href);
const loaded = new Map(); // each index file fetched once
let results = [];
let terms = [];
let shown = 0;
let latest = 0;

document.querySelector("[data-search-filters]").hidden = false;
document.querySelector("[data-search-nojs]").hidden = true;

// ---- the index ----

function load(name) {
  const url = name === "" ? ENTRY.href : new URL(name, ENTRY).href;
  if (!loaded.has(url)) {
    loaded.set(url, fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${response.status} for ${url}`);
      return response.json();
    }));
  }
  return loaded.get(url);
}

const entry = () => load("");
const file = async (name) => load(`${(await entry()).build}/${name}`);

// Words as the index keeps them (searchindex.words): NFKD, accents and invisible characters
// (soft hyphens, zero-width spaces and joiners) dropped, lower case, split at all but letters and digits.
function words(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f\u00ad\u200b-\u200d\u2060\ufeff]/g, "").toLowerCase()
    .match(/[\p{L}\p{N}]+/gu) || [];
}

// A plural query word's singulars: "crimes" finds "crime", "policies" "policy".
function singulars(term) {
  if (term.length <= 3 || !term.endsWith("s")) return [];
  return [term.slice(0, -1), ...(term.endsWith("ies") ? [`${term.slice(0, -3)}y`] : []), ...(term.endsWith("es") ? [term.slice(0, -2)] : [])];
}

// Does an indexed word answer a query word? The word itself, a longer word it begins (from
// three letters: "knif" finds "knife"), or a singular of it.
function answers(term) {
  const others = singulars(term);
  return (word) => word === term || (term.length >= 3 && word.startsWith(term)) || others.includes(word);
}

// The pages that have a query word, with a score: rarer words and words in titles count most.
async function scores(term) {
  const index = await entry();
  // The word files are in order, each named by its first word: read those that can hold an answer.
  const spots = [term, `${term}\uffff`, ...singulars(term)].map((key) => index.words.findLastIndex((first) => first <= key));
  const match = answers(term);
  const found = new Map();
  for (let n = Math.max(0, Math.min(...spots)); n <= Math.max(0, ...spots); n++) {
    for (const [word, flat] of Object.entries(await file(`w/${n}.json`))) {
      if (!match(word)) continue;
      const rarity = Math.log(1 + index.pages / (flat.length / 2)) * (word === term ? 1 : 0.8);
      let page = 0;
      for (let i = 0; i < flat.length; i += 2) {
        page += flat[i];
        const score = (rarity * flat[i + 1] * 2.2) / (flat[i + 1] + 1.2);
        if (score > (found.get(page) || 0)) found.set(page, score);
      }
    }
  }
  return found;
}

async function filtered(name, value) {
  const index = await entry();
  if (!index.filters.includes(name)) return new Set();
  let page = 0;
  return new Set(((await file(`f/${name}.json`))[value] || []).map((gap) => (page += gap)));
}

// Page numbers that have every query word and every chosen filter, best first.
async function search(query, filters) {
  const found = await Promise.all([...new Set(words(query))].map(scores));
  const sets = await Promise.all(Object.entries(filters).map(([name, value]) => filtered(name, value)));
  let total = null;
  for (const each of found) {
    total = total === null ? each : new Map([...total].filter(([page]) => each.has(page)).map(([page, score]) => [page, score + each.get(page)]));
  }
  for (const set of sets) {
    total = total === null ? new Map([...set].map((page) => [page, 0])) : new Map([...total].filter(([page]) => set.has(page)));
  }
  return [...(total || [])].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([page]) => page);
}

async function record(number) {
  const index = await entry();
  const [url, title, about, text] = (await file(`p/${Math.floor(number / index.per)}.json`))[number % index.per];
  return { url, title, about, text };
}

// ---- the page ----

function chosenFilters() {
  const filters = {};
  for (const name of FILTERS) {
    const value = form.elements[name].value;
    if (value) filters[name] = value;
  }
  return filters;
}

function remember(query, filters) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

async function run() {
  const query = form.elements.q.value.trim();
  const filters = chosenFilters();
  remember(query, filters);
  const count = Object.keys(filters).length;
  chosen.textContent = count ? ` (${count} chosen)` : ""; // the folded filters' summary says so
  const ticket = ++latest;
  if (!query && !count) {
    status.textContent = "";
    list.hidden = true;
    moreWrap.hidden = true;
    return;
  }
  status.textContent = "Searching…";
  try {
    const found = await search(query, filters);
    if (ticket !== latest) return; // a newer search has started
    results = found;
    terms = [...new Set(words(query))].map(answers);
    shown = 0;
    list.replaceChildren();
    const about = query ? ` for “${query}”` : "";
    status.textContent = results.length === 1 ? `1 result${about}.` : `${results.length} results${about}.`;
    list.hidden = results.length === 0;
    await showMore(ticket);
  } catch (error) {
    if (ticket === latest) failed(error);
  }
}

function failed(error) {
  status.textContent = "The search could not be done: the search index did not load. Try again, or use the A to Z below.";
  list.hidden = true;
  moreWrap.hidden = true;
  console.warn(error);
}

async function showMore(ticket = latest) {
  const batch = await Promise.all(results.slice(shown, shown + PAGE).map(record));
  if (ticket !== latest) return;
  for (const item of batch) list.append(resultItem(item));
  shown += batch.length;
  moreWrap.hidden = shown >= results.length;
}

function resultItem(item) {
  const li = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = item.url;
  link.textContent = item.title;
  heading.append(link);
  const about = document.createElement("p");
  about.className = "muted";
  about.textContent = item.about; // the kind of page, and its year or (for an initiative) its place in its plan
  li.append(heading, about, excerpt(item.text));
  return li;
}

// A few words of the page's text, from a little before the first word found, each found word marked.
function excerpt(text) {
  const tokens = text.split(" ");
  const hit = (token) => words(token).some((word) => terms.some((match) => match(word)));
  const start = Math.max(0, tokens.findIndex(hit) - 6);
  const end = Math.min(tokens.length, start + EXCERPT);
  const p = document.createElement("p");
  if (start > 0) p.append("… ");
  tokens.slice(start, end).forEach((token, i) => {
    if (i) p.append(" ");
    if (hit(token)) {
      const mark = document.createElement("mark");
      mark.textContent = token;
      p.append(mark);
    } else {
      p.append(token);
    }
  });
  if (end < tokens.length) p.append(" …");
  return p;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
for (const name of FILTERS) form.elements[name].addEventListener("change", run);
more.addEventListener("click", () => showMore().catch(failed));

const params = new URLSearchParams(location.search);
form.elements.q.value = params.get("q") || "";
for (const name of FILTERS) form.elements[name].value = params.get(name) || "";
if ([...params.keys()].length) run();
