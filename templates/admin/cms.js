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
  // Decap's values are immutable maps and lists; plain ones are accepted too.
  function plain(value) { return value && value.toJS ? value.toJS() : value; }
  function items(value) { return value && value.toArray ? value.toArray() : Array.isArray(value) ? value : []; }
  function get(map, key) { return map && map.get ? map.get(key) : map ? map[key] : undefined; }

  // The plan as the site shows it: each priority, and each initiative as on its own page. Decap
  // draws the preview again at every key pressed, and a plan has a hundred initiatives with three
  // texts each: a priority or an initiative is drawn again only when its own value changed (an
  // unchanged one keeps the very same immutable value).
  function planPreview(CMS) {
    var h = window.h, createClass = window.createClass;
    function markdown(value, props) {
      var preview = CMS.getWidget("markdown").preview;
      return value ? h("div", { className: "prose" }, props.getAsset && preview
        ? h(preview, { value: value, getAsset: props.getAsset, field: props.fieldsMetaData }) : value) : null;
    }
    function field(label, value) {
      value = plain(value);
      if (!value || (Array.isArray(value) && !value.length)) return null;
      return [h("dt", { key: label + "t" }, label), h("dd", { key: label + "d" }, Array.isArray(value) ? value.join(", ") : text(value))];
    }
    function changed(next) { return next.value !== this.props.value; }
    var Initiative = createClass({
      shouldComponentUpdate: changed,
      render: function () {
        var item = this.props.value, props = this.props.preview;
        return h("article", { className: "initiative" },
          h("h3", {}, text(get(item, "title")) || "(no title yet)"),
          h("dl", { className: "facts" }, [].concat(
            field("Lead", get(item, "lead")), field("Partners", get(item, "partners")), field("Timing", get(item, "timing")),
            field("Status", get(item, "status")), field("Programme", get(item, "programme")), field("Topics", get(item, "topics")),
            field("Partnership priorities", get(item, "scp_priorities")), field("PFCC priorities", get(item, "pfcc_priorities")))),
          markdown(get(item, "description"), props), markdown(get(item, "outcomes"), props), markdown(get(item, "updates"), props));
      }
    });
    function initiatives(list, props) {
      return items(list).map(function (item, j) { return h(Initiative, { key: j, value: item, preview: props }); });
    }
    var Priority = createClass({
      shouldComponentUpdate: changed,
      render: function () {
        var p = this.props.value, props = this.props.preview;
        return h("section", { className: "priority" },
          h("h2", {}, "Priority " + text(get(p, "number")) + ": " + text(get(p, "title"))),
          markdown(get(p, "summary"), props),
          initiatives(get(p, "initiatives"), props));
      }
    });
    return function PlanPreview(props) {
      var data = props.entry.get("data");
      return h("main", { id: "main" },
        h("h1", {}, text(get(data, "title"))),
        items(get(data, "priorities")).map(function (p, i) { return h(Priority, { key: i, value: p, preview: props }); }),
        items(get(data, "initiatives")).length ? h("section", {}, h("h2", {}, "Rows of the combined table"),
          initiatives(get(data, "initiatives"), props)) : null);
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
