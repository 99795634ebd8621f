// Filter a long list of initiatives by lead agency and priority, in the browser.
// Without JavaScript the filters stay hidden and the whole list shows.
for (const box of document.querySelectorAll("[data-list-filter]")) {
  const selects = [...box.querySelectorAll("select[data-filter-key]")];
  const items = [...document.querySelectorAll("[data-filter-item]")];
  const count = box.querySelector("[data-filter-count]");

  function apply() {
    let shown = 0;
    for (const item of items) {
      const keep = selects.every((select) => {
        if (!select.value) return true;
        const values = (item.dataset[select.dataset.filterKey] || "").split(" ");
        return values.includes(select.value);
      });
      item.hidden = !keep;
      if (keep) shown += 1;
    }
    // Hide the headings of groups left with nothing to show.
    for (const group of document.querySelectorAll("[data-filter-group]")) {
      group.hidden = !group.querySelector("[data-filter-item]:not([hidden])");
    }
    const filtered = selects.some((select) => select.value);
    count.textContent = filtered ? `Showing ${shown} of ${items.length} initiatives.` : "";
  }

  for (const select of selects) select.addEventListener("change", apply);
  box.hidden = false;
}
