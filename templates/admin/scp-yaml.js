/* The content files' one YAML form, in the web editor: the rules of site_builder/fmt.py, line for line.
 *
 * toFile writes an entry's data exactly as `site-builder fmt` writes the file, so a form save of a
 * file in that form changes only the lines of the fields edited. fromFile reads that form only (main
 * holds nothing else: CI runs `site-builder fmt --check`); any other text is refused with the fix.
 * Works in the browser (window.ScpYaml) and in Node (the tests compare it with fmt.py).
 */
(function (root) {
  "use strict";

  var WORDS = ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"];
  var NUMBERISH = /^(?:[-+.]?[0-9]|[-+]?\.(?:inf|nan)$)/i;
  var DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  var FIRST = "-?:,[]{}#&*!|>'\"%@`<=~ \t";
  var FLOW_CHARS = ",[]{}";
  var UNPRINTABLE = /[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;
  var UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, "gu");

  function chars(text) { return Array.from(text); }

  function plainOk(text, flow) {
    if (!text) return false;
    var cs = chars(text), last = cs[cs.length - 1];
    if (FIRST.indexOf(cs[0]) >= 0 || " \t:".indexOf(last) >= 0) return false;
    if (text.indexOf("\n") >= 0 || text.indexOf("\t") >= 0 || text.indexOf(": ") >= 0 || text.indexOf(" #") >= 0) return false;
    if (UNPRINTABLE.test(text)) return false;
    if (WORDS.indexOf(text.toLowerCase()) >= 0) return false;
    if (NUMBERISH.test(text) && !DATE.test(text)) return false;
    if (flow) { for (var i = 0; i < FLOW_CHARS.length; i++) if (text.indexOf(FLOW_CHARS[i]) >= 0) return false; }
    return true;
  }

  function hex(code, width) { var h = code.toString(16); while (h.length < width) h = "0" + h; return h; }

  function quoted(text) {
    var body = text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t");
    body = body.replace(UNPRINTABLE_ALL, function (c) {
      var code = c.codePointAt(0);
      return code < 0x100 ? "\\x" + hex(code, 2) : code < 0x10000 ? "\\u" + hex(code, 4) : "\\U" + hex(code, 8);
    });
    return '"' + body + '"';
  }

  function blockOk(text) {
    if (text.indexOf("\n") < 0 || /\n\n$/.test(text) || text[0] === "\n" || text[0] === " ") return false;
    if (UNPRINTABLE.test(text) || text.indexOf("\t") >= 0) return false;
    var lines = text.replace(/\n$/, "").split("\n");
    for (var i = 0; i < lines.length; i++) if (/ $/.test(lines[i])) return false;
    return true;
  }

  function isMap(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  function scalar(value, flow) {
    if (value === true || value === false) return value ? "true" : "false";
    if (typeof value === "number") return String(value);
    value = String(value);
    return plainOk(value, flow) ? value : quoted(value);
  }

  function single(value) {
    return !isMap(value) && !Array.isArray(value) && !(typeof value === "string" && value.indexOf("\n") >= 0 && blockOk(value));
  }

  function absent(value) { return value === null || value === undefined || value === ""; }

  function ordered(mapping, shape) {
    var keys = shape ? shape.keys : [];
    var items = Object.keys(mapping).filter(function (k) { return !absent(mapping[k]); })
      .map(function (k, i) { var o = keys.indexOf(k); return { k: k, v: mapping[k], o: o < 0 ? keys.length : o, i: i }; });
    items.sort(function (a, b) { return a.o - b.o || a.i - b.i; });
    return items;
  }

  function Writer(table, rootName, width) { this.table = table; this.root = rootName; this.width = width; this.lines = []; }

  Writer.prototype.document = function (data) {
    this.lines = [];
    this.mapping(data, this.table[this.root], 0, "");
    return this.lines.map(function (l) { return l + "\n"; }).join("");
  };
  Writer.prototype.child = function (shape, key) {
    var name = shape ? shape.items[key] : undefined;
    return name ? this.table[name] : undefined;
  };
  Writer.prototype.mapping = function (data, shape, indent, first) {
    var items = ordered(data, shape), self = this, pad = " ".repeat(indent);
    if (!items.length) { if (first) this.lines.push(pad + first + "{}"); return; }
    items.forEach(function (item, i) {
      var lead = first ? (i === 0 ? first : " ".repeat(first.length)) : "";
      self.value(pad + lead + scalar(String(item.k)) + ":", item.v, indent + first.length, self.child(shape, item.k));
    });
  };
  Writer.prototype.value = function (head, value, indent, shape) {
    if (isMap(value)) {
      if ((shape && shape.flow) || !Object.keys(value).length) { this.lines.push(head + " " + this.flowMapping(value, shape)); return; }
      this.lines.push(head);
      this.mapping(value, shape, indent + 2, "");
    } else if (Array.isArray(value)) {
      this.sequence(head, value, indent, shape);
    } else if (typeof value === "string" && value.indexOf("\n") >= 0 && blockOk(value)) {
      this.lines.push(head + (/\n$/.test(value) ? " |" : " |-"));
      this.block(value, indent + 2);
    } else {
      this.lines.push(head + " " + scalar(value));
    }
  };
  Writer.prototype.block = function (text, indent) {
    var self = this;
    text.replace(/\n$/, "").split("\n").forEach(function (line) { self.lines.push(line ? " ".repeat(indent) + line : ""); });
  };
  Writer.prototype.flowMapping = function (value, shape) {
    var self = this;
    return "{" + ordered(value, shape).map(function (it) { return scalar(String(it.k), true) + ": " + self.flowValue(it.v); }).join(", ") + "}";
  };
  Writer.prototype.flowValue = function (value) {
    var self = this;
    if (isMap(value)) return this.flowMapping(value, undefined);
    if (Array.isArray(value)) return "[" + value.map(function (v) { return self.flowValue(v); }).join(", ") + "]";
    return single(value) ? scalar(value, true) : quoted(value);
  };
  Writer.prototype.sequence = function (head, items, indent, shape) {
    var self = this;
    if (!items.length) { this.lines.push(head + " []"); return; }
    if (items.every(function (v) { return !isMap(v) && !Array.isArray(v) && single(v) && !absent(v); })) {
      var line = head + " [" + items.map(function (v) { return scalar(v, true); }).join(", ") + "]";
      if (chars(line).length <= this.width) { this.lines.push(line); return; }
    }
    this.lines.push(head);
    var pad = " ".repeat(indent + 2);
    items.forEach(function (item, i) {
      if (i && shape && shape.spaced && isMap(item)) self.lines.push("");
      if (isMap(item) && Object.keys(item).length && !(shape && shape.flow)) self.mapping(item, shape, indent + 2, "- ");
      else if (isMap(item)) self.lines.push(pad + "- " + self.flowMapping(item, shape));
      else if (Array.isArray(item)) self.lines.push(pad + "- " + self.flowValue(item));
      else if (absent(item)) self.lines.push(pad + "- " + (item === "" ? '""' : "null"));
      else if (typeof item === "string" && !single(item)) {
        self.lines.push(pad + "-" + (/\n$/.test(item) ? " |" : " |-"));
        self.block(item, indent + 4);
      } else self.lines.push(pad + "- " + scalar(item));
    });
  };

  // ---- reading the shared form ----------------------------------------------------------------

  function NotShared(line, why) {
    this.message = "line " + line + ": " + why + ". This file is not in the shared form the web editor reads: " +
      "ask a developer to run `make fmt` on it, and commit the result.";
  }
  NotShared.prototype = Object.create(Error.prototype);

  function unquote(text, line) {
    var out = "", i = 1;
    while (i < text.length - 1) {
      var c = text[i];
      if (c !== "\\") { out += c; i++; continue; }
      var e = text[i + 1], n = { x: 2, u: 4, U: 8 }[e];
      if (n) { out += String.fromCodePoint(parseInt(text.substr(i + 2, n), 16)); i += 2 + n; continue; }
      var simple = { "\\": "\\", '"': '"', n: "\n", t: "\t", "/": "/" }[e];
      if (simple === undefined) throw new NotShared(line, "an escape \\" + e + " the shared form does not write");
      out += simple; i += 2;
    }
    return out;
  }

  function plainValue(text) {
    if (text === "true" || text === "false") return text === "true";
    if (/^(?:0|-?[1-9][0-9]*)$/.test(text)) return parseInt(text, 10);
    if (text === "null" || text === "~") return null;
    return text;
  }

  // Split a flow collection's inside at its top-level commas, outside quotes.
  function splitFlow(inner) {
    var parts = [], depth = 0, quote = false, start = 0;
    for (var i = 0; i < inner.length; i++) {
      var c = inner[i];
      if (quote) { if (c === "\\") i++; else if (c === '"') quote = false; continue; }
      if (c === '"') quote = true;
      else if (c === "[" || c === "{") depth++;
      else if (c === "]" || c === "}") depth--;
      else if (c === "," && depth === 0) { parts.push(inner.slice(start, i).trim()); start = i + 1; }
    }
    var last = inner.slice(start).trim();
    if (last || parts.length) parts.push(last);
    return parts;
  }

  function inline(text, line) {
    if (text[0] === '"') {
      if (text.length < 2 || text[text.length - 1] !== '"') throw new NotShared(line, "a quote that does not close");
      return unquote(text, line);
    }
    if (text[0] === "[") {
      if (text[text.length - 1] !== "]") throw new NotShared(line, "a list in brackets that does not close");
      return splitFlow(text.slice(1, -1)).map(function (p) { return inline(p, line); });
    }
    if (text[0] === "{") {
      if (text[text.length - 1] !== "}") throw new NotShared(line, "braces that do not close");
      var out = {};
      splitFlow(text.slice(1, -1)).forEach(function (p) {
        var m = /^([^\s":][^:]*?|"(?:[^"\\]|\\.)*"):(?: (.*))?$/.exec(p);
        if (!m) throw new NotShared(line, "an item in braces that is not 'key: value'");
        out[m[1][0] === '"' ? unquote(m[1], line) : m[1]] = m[2] === undefined ? null : inline(m[2], line);
      });
      return out;
    }
    if (text[0] === "'" || text[0] === "|" || text[0] === ">" || text[0] === "&" || text[0] === "*" || text[0] === "!") {
      throw new NotShared(line, "a value written as the shared form never writes one");
    }
    if (/ #/.test(text)) throw new NotShared(line, "a comment");
    return plainValue(text);
  }

  var KEY = /^([^\s"'#\-?:,\[\]{}&*!|>%@`][^:]*?|"(?:[^"\\]|\\.)*"):(?: (.*))?$/;

  function Reader(text) {
    if (text.indexOf("\t") >= 0) throw new NotShared(1, "a tab");
    this.lines = text.split("\n");
    if (this.lines[this.lines.length - 1] === "") this.lines.pop();
    this.i = 0;
  }
  Reader.prototype.skipBlank = function () { while (this.i < this.lines.length && this.lines[this.i] === "") this.i++; };
  Reader.prototype.indentOf = function (l) { return l.length - l.replace(/^ +/, "").length; };
  Reader.prototype.document = function () {
    this.skipBlank();
    var data = this.mapping(0, null);
    this.skipBlank();
    if (this.i < this.lines.length) throw new NotShared(this.i + 1, "a line indented unlike the lines above it");
    return data;
  };
  // A mapping whose keys start at column `indent`; `firstRest` is a list item's text after its dash.
  Reader.prototype.mapping = function (indent, firstRest) {
    var out = {}, first = firstRest !== null;
    while (true) {
      var rest;
      if (first) { rest = firstRest; first = false; }
      else {
        this.skipBlank();
        if (this.i >= this.lines.length) break;
        var l = this.lines[this.i];
        if (this.indentOf(l) !== indent || l[indent] === "-") break;
        rest = l.slice(indent);
        this.i++;
      }
      var lineNo = this.i;
      if (/^\s*#/.test(rest)) throw new NotShared(lineNo, "a comment");
      var m = KEY.exec(rest);
      if (!m) throw new NotShared(lineNo, "a line that is not 'field: value'");
      var key = m[1][0] === '"' ? unquote(m[1], lineNo) : m[1];
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new NotShared(lineNo, "'" + key + "' given twice");
      out[key] = this.after(m[2], indent, lineNo);
    }
    return out;
  };
  // The value after a key's colon (`text`, or undefined when the line ends there).
  Reader.prototype.after = function (text, indent, lineNo) {
    if (text === "|" || text === "|-") return this.block(indent + 2, text === "|");
    if (text !== undefined) return inline(text, lineNo);
    this.skipBlank();
    var l = this.lines[this.i], at = l === undefined ? -1 : this.indentOf(l);
    if (at > indent + 2) throw new NotShared(this.i + 1, "a line indented " + at + " spaces where " + (indent + 2) + " were expected");
    if (at !== indent + 2) return null;
    return l[at] === "-" ? this.sequence(at) : this.mapping(at, null);
  };
  Reader.prototype.sequence = function (indent) {
    var out = [];
    while (true) {
      this.skipBlank();
      var l = this.lines[this.i];
      if (l === undefined || this.indentOf(l) !== indent || l[indent] !== "-") break;
      this.i++;
      var lineNo = this.i, rest = l.slice(indent + 1);
      if (rest === " |" || rest === " |-") { out.push(this.block(indent + 2, rest === " |")); continue; }
      if (rest[0] !== " ") throw new NotShared(lineNo, "a dash without a space after it");
      rest = rest.slice(1);
      if (rest[0] !== '"' && rest[0] !== "[" && rest[0] !== "{" && KEY.test(rest)) out.push(this.mapping(indent + 2, rest));
      else out.push(inline(rest, lineNo));
    }
    return out;
  };
  Reader.prototype.block = function (indent, keep) {
    var lines = [];
    while (this.i < this.lines.length) {
      var l = this.lines[this.i];
      if (l !== "" && this.indentOf(l) < indent) break;
      lines.push(l.slice(indent));
      this.i++;
    }
    while (lines.length && lines[lines.length - 1] === "") { lines.pop(); }
    return lines.join("\n") + (keep ? "\n" : "");
  };

  function parse(text) { return new Reader(text).document(); }

  function formatter(table, rootName, width) {
    return {
      fromFile: function (content) { return parse(content); },
      toFile: function (data) { return new Writer(table, rootName, width).document(data); },
    };
  }

  // A Markdown page: front matter in the shared form between '---' lines, then the body.
  function pageFormatter(table, rootName, width) {
    return {
      fromFile: function (content) {
        var end = content.indexOf("\n---\n", 3);
        if (content.slice(0, 4) !== "---\n" || end < 0) throw new NotShared(1, "no front matter between '---' lines");
        var data = parse(content.slice(4, end + 1));
        data.body = content.slice(end + 5);
        return data;
      },
      toFile: function (data) {
        var front = {}, body = data.body || "";
        Object.keys(data).forEach(function (k) { if (k !== "body") front[k] = data[k]; });
        return "---\n" + new Writer(table, rootName, width).document(front) + "---\n" + body;
      },
    };
  }

  var api = { parse: parse, Writer: Writer, formatter: formatter, pageFormatter: pageFormatter };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.ScpYaml = api;
})(this);
