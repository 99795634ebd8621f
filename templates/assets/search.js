// Search with Pagefind. The page works without this script: it lists the A to Z.
const form = document.querySelector("[data-search-form]");
const status = document.querySelector("[data-search-status]");
const list = document.querySelector("[data-search-results]");
const moreWrap = document.querySelector("[data-search-more-wrap]");
const more = document.querySelector("[data-search-more]");
const chosen = document.querySelector("[data-search-chosen]");
const FILTERS = [...document.querySelectorAll("[data-search-filters] select")].map((select) => select.name);
const PAGE = 20;
let pagefind = null;
let results = [];
let shown = 0;
let latest = 0;

document.querySelector("[data-search-filters]").hidden = false;
document.querySelector("[data-search-nojs]").hidden = true;

async function engine() {
  if (!pagefind) {
    pagefind = await import(form.dataset.pagefind);
    await pagefind.options({ excerptLength: 24 });
  }
  return pagefind;
}

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
  if (!query && !Object.keys(filters).length) {
    status.textContent = "";
    list.hidden = true;
    moreWrap.hidden = true;
    return;
  }
  status.textContent = "Searching…";
  const found = await (await engine()).search(query || null, { filters });
  if (ticket !== latest) return; // a newer search has started
  results = found.results;
  shown = 0;
  list.replaceChildren();
  const words = query ? ` for “${query}”` : "";
  status.textContent = results.length === 1 ? `1 result${words}.` : `${results.length} results${words}.`;
  list.hidden = results.length === 0;
  await showMore(ticket);
}

async function showMore(ticket = latest) {
  const batch = await Promise.all(results.slice(shown, shown + PAGE).map((r) => r.data()));
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
  link.textContent = item.meta.title || item.url;
  heading.append(link);
  const about = document.createElement("p");
  about.className = "muted";
  const type = (item.filters.type || [])[0] || "";
  // An initiative's place ("2021-22, priority 3") tells it from a row of the same title; others show their year.
  const place = item.meta.place || (item.filters.year || [])[0] || "";
  about.textContent = [type, place].filter(Boolean).join(", ");
  const excerpt = document.createElement("p");
  excerpt.innerHTML = item.excerpt; // Pagefind's own escaped text, with <mark> around the words found
  li.append(heading, about, excerpt);
  return li;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
for (const name of FILTERS) form.elements[name].addEventListener("change", run);
more.addEventListener("click", () => showMore());

const params = new URLSearchParams(location.search);
form.elements.q.value = params.get("q") || "";
for (const name of FILTERS) form.elements[name].value = params.get(name) || "";
if ([...params.keys()].length) run();
