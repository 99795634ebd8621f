/* The web editor's set-up: our YAML serializer for every content file, the Markdown field, and a
 * preview pane in the site's own stylesheet. Loaded before Decap's bundle, which it asks to wait. */
(function () {
  "use strict";
  window.CMS_MANUAL_INIT = true;

  var LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

  function registerFormats(CMS) {
    var shapes = window.SCP_SHAPES, roots = shapes.roots;
    Object.keys(roots).forEach(function (name) {
      var make = name === "PageMeta" ? window.ScpYaml.pageFormatter : window.ScpYaml.formatter;
      var f = make(roots[name], name, shapes.width);
      CMS.registerCustomFormat(name === "PageMeta" ? "scp-page" : "scp-" + name, name === "PageMeta" ? "md" : "yaml", f);
    });
  }

  // Markdown typed as it is stored (a plain text box keeps every byte: a rich-text editor would
  // rewrite the whole text on save), shown rendered in the preview.
  function registerMarkdown(CMS) {
    CMS.registerWidget("scp-markdown", CMS.getWidget("text").control, CMS.getWidget("markdown").preview);
  }

  function text(value) { return value === undefined || value === null ? "" : String(value); }
  function list(value) { return value && value.toJS ? value.toJS() : Array.isArray(value) ? value : []; }

  // The plan as the site shows it: each priority, and each initiative as on its own page.
  function planPreview(CMS) {
    var h = window.h;
    function field(label, value) {
      if (!value || (Array.isArray(value) && !value.length)) return null;
      return [h("dt", { key: label + "t" }, label), h("dd", { key: label + "d" }, Array.isArray(value) ? value.join(", ") : text(value))];
    }
    function initiative(item, i, md) {
      return h("article", { className: "initiative", key: i },
        h("h3", {}, text(item.title) || "(no title yet)"),
        h("dl", { className: "facts" }, [].concat(
          field("Lead", item.lead), field("Partners", item.partners), field("Timing", item.timing),
          field("Status", item.status), field("Programme", item.programme), field("Topics", item.topics),
          field("Partnership priorities", item.scp_priorities), field("PFCC priorities", item.pfcc_priorities))),
        md(item.description), md(item.outcomes), md(item.updates));
    }
    return function PlanPreview(props) {
      var data = props.entry.get("data"), plain = data && data.toJS ? data.toJS() : {};
      var md = function (value) {
        return value ? h("div", { className: "prose" }, props.getAsset && CMS.getWidget("markdown").preview
          ? h(CMS.getWidget("markdown").preview, { value: value, getAsset: props.getAsset, field: props.fieldsMetaData }) : value) : null;
      };
      return h("main", { id: "main" },
        h("h1", {}, text(plain.title)),
        list(plain.priorities).map(function (p, i) {
          return h("section", { key: i, className: "priority" },
            h("h2", {}, "Priority " + text(p.number) + ": " + text(p.title)),
            md(p.summary),
            list(p.initiatives).map(function (item, j) { return initiative(item, j, md); }));
        }),
        list(plain.initiatives).length ? h("section", {}, h("h2", {}, "Rows of the combined table"),
          list(plain.initiatives).map(function (item, j) { return initiative(item, j, md); })) : null);
    };
  }

  function start() {
    var CMS = window.CMS;
    registerFormats(CMS);
    registerMarkdown(CMS);
    if (window.SCP_STYLESHEET) CMS.registerPreviewStyle(window.SCP_STYLESHEET);
    CMS.registerPreviewTemplate("plans", planPreview(CMS));
    var config = {};
    // A developer's or a test's own decap-server (docs/web-editor.md); Decap uses a local backend
    // only on this computer's own addresses, whatever this says.
    var local = null;
    try { local = window.localStorage.getItem("scp-local-backend"); } catch (e) { local = null; }
    if (local && LOOPBACK.indexOf(window.location.hostname) >= 0) config.local_backend = { url: local };
    CMS.init({ config: config });
  }

  // Decap keeps the last entry's values in the form when the address goes from one entry straight
  // to another, as a pasted or followed link does (decaporg/decap-cms#4147): a save would write them
  // into the wrong file. Such a change loads the editor afresh.
  var ENTRY = /^#\/collections\/[^/]+\/entries\//;
  window.addEventListener("hashchange", function (event) {
    var before = new URL(event.oldURL).hash, after = new URL(event.newURL).hash;
    if (before !== after && ENTRY.test(before) && ENTRY.test(after)) window.location.reload();
  });

  document.addEventListener("DOMContentLoaded", start);
})();
