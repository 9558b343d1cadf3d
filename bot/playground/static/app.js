// Study Lab playground: a small Slack in one page, talking only to the stand-in for Slack.
//
// Everything shown comes from the stand-in's /ui/events stream (what the app sent to "Slack"),
// and every text is inserted with textContent or text nodes, never as HTML.  Block Kit that
// this page cannot draw is shown as a placeholder naming its type.  No build step: plain ES2020.
"use strict";

(() => {
  const EMOJI = {
    books: "📚", warning: "⚠️", white_check_mark: "✅", x: "❌", fire: "🔥", tada: "🎉", trophy: "🏆",
    wave: "👋", smile: "😄", slightly_smiling_face: "🙂", thumbsup: "👍", "+1": "👍", thumbsdown: "👎",
    heavy_check_mark: "✔️", star: "⭐", bulb: "💡", calendar: "📅", medal: "🏅", sports_medal: "🏅",
    first_place_medal: "🥇", second_place_medal: "🥈", third_place_medal: "🥉", memo: "📝", mag: "🔍",
    question: "❓", exclamation: "❗", rocket: "🚀", eyes: "👀", hourglass: "⌛", hourglass_flowing_sand: "⏳",
    lock: "🔒", link: "🔗", bar_chart: "📊", chart_with_upwards_trend: "📈", pencil2: "✏️", brain: "🧠",
    sparkles: "✨", muscle: "💪", ok_hand: "👌", heart: "❤️", rotating_light: "🚨", no_entry: "⛔",
    no_entry_sign: "🚫", information_source: "ℹ️", speech_balloon: "💬", point_right: "👉", clock9: "🕘",
    alarm_clock: "⏰", mortar_board: "🎓", pushpin: "📌", bell: "🔔", zap: "⚡", boom: "💥", 100: "💯",
    heavy_plus_sign: "➕", heavy_minus_sign: "➖", arrow_right: "➡️", repeat: "🔁", construction: "🚧",
  };
  const state = {
    user: "",
    snapshot: null,
    view: "channel",
    source: null,
    errors: {},
    nodes: new Map(),
    opener: null,
    followEditsUntil: 0, // until when an edited channel message is brought into view
    directSeen: 0, // direct messages this person has seen
  };
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function decode(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function emojify(text) {
    return text.replace(/:([a-z0-9_+'-]+):/g, (all, name) => emojiFor(name, all));
  }

  // -- emoji the browser cannot draw are shown by name ---------------------------------------

  const drawable = new Map();
  const EMOJI_FONTS = '"Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji", "Noto Emoji", sans-serif';

  // An emoji this machine has no font for would be an empty box: compare its drawing with that
  // of a code point no font has (U+10FFFD); the same pixels mean a box, so the page shows :name:.
  function canDraw(glyph) {
    if (drawable.has(glyph)) return drawable.get(glyph);
    let ok = true;
    try {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 32;
      const pen = canvas.getContext("2d", { willReadFrequently: true });
      pen.font = "24px " + EMOJI_FONTS;
      pen.textBaseline = "top";
      const pixels = (text) => {
        pen.clearRect(0, 0, 32, 32);
        pen.fillText(text, 0, 0);
        return pen.getImageData(0, 0, 32, 32).data.join(",");
      };
      ok = pixels(glyph) !== pixels("\u{10FFFD}");
    } catch (error) {
      ok = true; // no canvas: trust the fonts
    }
    drawable.set(glyph, ok);
    return ok;
  }

  function emojiFor(name, written) {
    const glyph = EMOJI[name];
    return glyph && canDraw(glyph) ? glyph : written;
  }

  // -- mrkdwn -------------------------------------------------------------------------------

  const INLINE = new RegExp(
    [
      "`([^`\\n]+)`", // 1 code
      "<([^<>\\n]+)>", // 2 mention, channel, broadcast or link
      "(?<![\\w*])\\*(?=\\S)([^*\\n]+?)(?<=\\S)\\*(?![\\w*])", // 3 bold
      "(?<![\\w_])_(?=\\S)([^_\\n]+?)(?<=\\S)_(?![\\w_])", // 4 italics
      "(?<![\\w~])~(?=\\S)([^~\\n]+?)(?<=\\S)~(?![\\w~])", // 5 strike
      ":([a-z0-9_+'-]+):", // 6 emoji
    ].join("|"),
    "g",
  );

  function safeUrl(url) {
    return /^(https?:|mailto:)/i.test(url) ? url : null;
  }

  function angle(token, parent) {
    const [target, label] = splitOnce(token, "|");
    const names = (state.snapshot && state.snapshot.names) || {};
    const channels = (state.snapshot && state.snapshot.channels) || [];
    if (target.startsWith("@")) {
      parent.append(el("span", "mention", "@" + (names[target.slice(1)] || (label && decode(label)) || target.slice(1))));
    } else if (target.startsWith("#")) {
      const found = channels.find((c) => c.id === target.slice(1));
      parent.append(el("span", "channel-ref", "#" + ((found && found.name) || (label && decode(label)) || target.slice(1))));
    } else if (target.startsWith("!")) {
      const command = target.slice(1).split("^")[0];
      if (["here", "channel", "everyone"].includes(command)) parent.append(el("span", "broadcast", "@" + command));
      else parent.append(document.createTextNode(label ? decode(label) : "<" + decode(token) + ">"));
    } else {
      const url = safeUrl(decode(target));
      if (!url) {
        parent.append(document.createTextNode(decode(label || target)));
        return;
      }
      const link = el("a", "", decode(label || target));
      link.href = url;
      link.rel = "noopener noreferrer";
      if (!url.startsWith(location.origin + "/")) link.target = "_blank";
      parent.append(link);
    }
  }

  function splitOnce(text, sep) {
    const at = text.indexOf(sep);
    return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
  }

  function inline(text, parent) {
    let last = 0;
    INLINE.lastIndex = 0;
    const matches = [...text.matchAll(INLINE)];
    for (const m of matches) {
      if (m.index > last) parent.append(document.createTextNode(decode(text.slice(last, m.index))));
      if (m[1] !== undefined) parent.append(el("code", "", decode(m[1])));
      else if (m[2] !== undefined) angle(m[2], parent);
      else if (m[3] !== undefined) inline(m[3], parent.appendChild(el("b")));
      else if (m[4] !== undefined) inline(m[4], parent.appendChild(el("i")));
      else if (m[5] !== undefined) inline(m[5], parent.appendChild(el("s")));
      else parent.append(document.createTextNode(emojiFor(m[6], m[0])));
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.append(document.createTextNode(decode(text.slice(last))));
  }

  function lines(text, parent) {
    let quote = null;
    let first = true;
    for (const line of text.split("\n")) {
      if (line.startsWith(">")) {
        if (!quote) quote = parent.appendChild(el("blockquote"));
        else quote.append(el("br"));
        inline(line.slice(1).replace(/^ /, ""), quote);
        first = true;
        continue;
      }
      quote = null;
      if (!first) parent.append(el("br"));
      inline(line, parent);
      first = false;
    }
  }

  function mrkdwn(text, className) {
    const box = el("div", "mrkdwn " + (className || ""));
    const parts = String(text || "").split("```");
    parts.forEach((part, i) => {
      if (i % 2 === 1 && i < parts.length - 1) box.append(el("pre", "", decode(part.replace(/^\n/, ""))));
      else lines(i % 2 === 1 ? "```" + part : part, box);
    });
    return box;
  }

  function textObject(obj, className) {
    if (!obj || typeof obj !== "object") return el("span", className || "", "");
    if (obj.type === "mrkdwn") return mrkdwn(obj.text, className);
    const text = String(obj.text || "");
    return el("span", className || "", obj.emoji === false ? text : emojify(text));
  }

  function plain(obj) {
    if (!obj || typeof obj !== "object") return "";
    const text = String(obj.text || "");
    return obj.emoji === false ? text : emojify(text);
  }

  function placeholder(what, type) {
    const box = el("span", "placeholder", `${what} this page cannot show: ${String(type).slice(0, 40)}`);
    box.dataset.type = String(type);
    return box;
  }

  // -- Block Kit ------------------------------------------------------------------------------

  // ctx: {where, errors}; each element is addressed by (block index, element index; -1 accessory, -2 input)
  function renderBlocks(blocks, ctx) {
    const box = el("div", "blocks");
    (blocks || []).forEach((block, i) => {
      if (!block || typeof block !== "object") return;
      const node = renderBlock(block, i, ctx);
      box.append(node);
      const error = ctx.errors && block.block_id && ctx.errors[block.block_id];
      if (error) box.append(el("p", "b-error", String(error)));
    });
    return box;
  }

  function renderBlock(block, i, ctx) {
    switch (block.type) {
      case "header":
        return el("h3", "b-header", plain(block.text));
      case "divider":
        return el("hr", "b-divider");
      case "section": {
        const box = el("div", "b-section");
        const main = el("div", "b-text");
        if (block.text) main.append(textObject(block.text));
        if (Array.isArray(block.fields)) {
          const fields = el("div", "b-fields");
          block.fields.forEach((f) => fields.append(textObject(f)));
          main.append(fields);
        }
        box.append(main);
        if (block.accessory) box.append(renderElement(block.accessory, i, -1, ctx));
        return box;
      }
      case "actions": {
        const box = el("div", "b-actions");
        (block.elements || []).forEach((e, j) => box.append(renderElement(e, i, j, ctx)));
        return box;
      }
      case "context": {
        const box = el("div", "b-context");
        (block.elements || []).forEach((e) => {
          if (e && (e.type === "mrkdwn" || e.type === "plain_text")) box.append(textObject(e));
          else box.append(placeholder("Context element", e && e.type));
        });
        return box;
      }
      case "input":
        return renderInput(block, i, ctx);
      default: {
        const box = el("div", "b-unknown");
        box.append(placeholder("Block", block.type));
        return box;
      }
    }
  }

  function renderInput(block, i, ctx) {
    const box = el("div", "b-input");
    const id = `input-${i}-${Math.random().toString(36).slice(2, 8)}`;
    const label = el("label", "", plain(block.label));
    label.htmlFor = id;
    box.append(label);
    const element = block.element || {};
    let field;
    if (element.type === "plain_text_input") {
      field = element.multiline ? el("textarea") : el("input");
      if (element.initial_value) field.value = String(element.initial_value);
      if (element.placeholder) field.placeholder = plain(element.placeholder);
    } else if (element.type === "static_select") {
      field = selectFor(element);
    } else {
      box.append(placeholder("Input element", element.type));
      return box;
    }
    field.id = id;
    field.dataset.inputIndex = String(i);
    field.dataset.fieldKey = block.block_id ? "b:" + block.block_id : "i:" + i;
    box.append(field);
    if (block.hint) box.append(el("span", "hint", plain(block.hint)));
    return box;
  }

  function optionsOf(element) {
    const found = [...(element.options || [])];
    (element.option_groups || []).forEach((g) => found.push(...(g.options || [])));
    return found;
  }

  function selectFor(element) {
    const select = el("select", "b-select");
    select.setAttribute("aria-label", plain(element.placeholder) || "Pick one");
    const prompt = el("option", "", plain(element.placeholder) || "Pick one");
    prompt.value = "";
    prompt.disabled = true;
    prompt.selected = true;
    select.append(prompt);
    const addOption = (parent, o) => {
      const option = el("option", "", plain(o.text));
      option.value = String(o.value);
      if (element.initial_option && element.initial_option.value === o.value) option.selected = true;
      parent.append(option);
    };
    (element.options || []).forEach((o) => addOption(select, o));
    (element.option_groups || []).forEach((g) => {
      const group = el("optgroup");
      group.label = plain(g.label);
      (g.options || []).forEach((o) => addOption(group, o));
      select.append(group);
    });
    return select;
  }

  function confirmed(element) {
    const c = element.confirm;
    if (!c) return true;
    return window.confirm([plain(c.title), c.text ? decode(String(c.text.text || "")) : ""].join("\n"));
  }

  function renderElement(element, i, j, ctx) {
    if (!element || typeof element !== "object") return placeholder("Element", "unknown");
    switch (element.type) {
      case "button": {
        const button = el("button", "b-button" + (element.style ? " " + element.style : ""), plain(element.text));
        button.type = "button";
        button.addEventListener("click", () => {
          if (!confirmed(element)) return;
          const url = element.url && safeUrl(String(element.url));
          if (url) window.open(url, "_blank", "noopener,noreferrer");
          act(ctx.where, i, j, null);
        });
        return button;
      }
      case "static_select": {
        const select = selectFor(element);
        select.addEventListener("change", () => {
          if (confirmed(element)) act(ctx.where, i, j, select.value);
        });
        return select;
      }
      case "external_select":
        return externalSelect(element, i, j, ctx);
      case "overflow":
        return overflow(element, i, j, ctx);
      default:
        return placeholder("Element", element.type);
    }
  }

  let listboxes = 0;
  function externalSelect(element, i, j, ctx) {
    const box = el("div", "ext-select");
    const input = el("input");
    const list = el("ul", "listbox");
    list.id = `listbox-${++listboxes}`;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.type = "text";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-label", plain(element.placeholder) || "Search");
    input.placeholder = plain(element.placeholder) || "Search";
    const minimum = Number.isInteger(element.min_query_length) ? element.min_query_length : 3;
    let timer = null;
    let active = -1;
    const show = (options) => {
      list.replaceChildren();
      active = -1;
      options.forEach((o) => {
        const item = el("li", "", plain(o.text));
        item.setAttribute("role", "option");
        item.dataset.value = String(o.value);
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(o);
        });
        list.append(item);
      });
      if (!options.length) list.append(el("li", "", "No results"));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    };
    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    };
    const pick = (o) => {
      input.value = plain(o.text);
      close();
      act(ctx.where, i, j, String(o.value));
    };
    const ask = async () => {
      if (input.value.length < minimum) return close();
      const answer = await post("/ui/suggest", { where: ctx.where, block: i, element: j, typed: input.value });
      if (answer.ok && document.activeElement === input) {
        show(answer.options || []);
        box.options = answer.options || [];
      }
    };
    input.addEventListener("focus", () => ask());
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
    input.addEventListener("keydown", (event) => {
      const items = [...list.querySelectorAll("li[role=option]")];
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!items.length) return;
        active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach((item, k) => item.setAttribute("aria-selected", String(k === active)));
        input.setAttribute("aria-activedescendant", "");
      } else if (event.key === "Enter" && active >= 0 && box.options) {
        event.preventDefault();
        pick(box.options[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    box.append(input, list);
    return box;
  }

  function overflow(element, i, j, ctx) {
    const box = el("div", "overflow");
    const button = el("button", "b-button", "⋯");
    button.type = "button";
    button.setAttribute("aria-label", "More actions");
    button.setAttribute("aria-haspopup", "menu");
    button.setAttribute("aria-expanded", "false");
    const menu = el("div", "menu");
    menu.setAttribute("role", "menu");
    menu.hidden = true;
    (element.options || []).forEach((o) => {
      const item = el("button", "", plain(o.text));
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.addEventListener("click", () => {
        menu.hidden = true;
        button.setAttribute("aria-expanded", "false");
        if (confirmed(element)) act(ctx.where, i, j, String(o.value));
      });
      menu.append(item);
    });
    button.addEventListener("click", () => {
      menu.hidden = !menu.hidden;
      button.setAttribute("aria-expanded", String(!menu.hidden));
      if (!menu.hidden && menu.firstChild) menu.firstChild.focus();
    });
    box.append(button, menu);
    return box;
  }

  // -- talking to the stand-in ------------------------------------------------------------------

  async function post(path, body) {
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user: state.user, ...body }),
      });
      const answer = await response.json().catch(() => ({ ok: false, note: `HTTP ${response.status}` }));
      if (answer.note) say(answer.note);
      return answer;
    } catch (error) {
      say("The playground is not reachable: is `python -m bot playground` still running?");
      return { ok: false };
    }
  }

  function say(note) {
    $("status").textContent = note;
  }

  async function act(where, block, element, value) {
    say("");
    const answer = await post("/ui/act", { where, block, element, value });
    return answer;
  }

  function listen() {
    if (state.source) state.source.close();
    if (!state.user) return;
    state.source = new EventSource("/ui/events?user=" + encodeURIComponent(state.user));
    state.source.addEventListener("state", (event) => {
      const snapshot = JSON.parse(event.data);
      if (snapshot.user !== state.user) return;
      render(snapshot);
    });
  }

  // -- drawing the page -------------------------------------------------------------------------

  function initials(name) {
    return (String(name).trim()[0] || "?").toUpperCase();
  }

  function avatarClass(author) {
    if (author.app) return "av-app";
    if (author.slackbot) return "av-slackbot";
    let sum = 0;
    for (const ch of author.id) sum = (sum + ch.charCodeAt(0)) % 6;
    return "av" + sum;
  }

  function renderMessage(entry) {
    const article = el("article", "message" + (entry.kind === "ephemeral" ? " ephemeral" : ""));
    article.dataset.ts = entry.ts;
    article.append(el("div", "avatar " + avatarClass(entry.author), initials(entry.author.name)));
    const content = el("div", "content");
    const meta = el("div", "meta");
    meta.append(el("span", "author", entry.author.name));
    if (entry.author.app) meta.append(el("span", "app-tag", "APP"));
    meta.append(el("span", "time-stamp", entry.time));
    if (entry.kind === "ephemeral") meta.append(el("span", "only-you", "Only visible to you"));
    if (entry.edited) meta.append(el("span", "edited", "(edited)"));
    content.append(meta);
    const body = el("div", "body");
    if (entry.blocks && entry.blocks.length) body.append(renderBlocks(entry.blocks, { where: entry.where }));
    else body.append(mrkdwn(entry.text));
    content.append(body);
    article.append(content);
    if (entry.kind === "message") article.append(messageActions(entry));
    return article;
  }

  // A channel message's "More actions" menu: the app's message shortcuts, as Slack lists them.
  // Choosing one sends the app a message_action payload about this message (via /ui/shortcut).
  function messageActions(entry) {
    const box = el("div", "overflow message-actions");
    const button = el("button", "b-button", "⋮");
    button.type = "button";
    button.title = "More actions"; // Slack's name for this menu; the label tells it from a block's overflow
    button.setAttribute("aria-label", "More message actions");
    button.setAttribute("aria-haspopup", "menu");
    button.setAttribute("aria-expanded", "false");
    const menu = el("div", "menu");
    menu.setAttribute("role", "menu");
    menu.hidden = true;
    const close = () => {
      menu.hidden = true;
      button.setAttribute("aria-expanded", "false");
    };
    const shortcuts = (state.snapshot && state.snapshot.shortcuts) || [];
    shortcuts.forEach((shortcut) => {
      const item = el("button", "", shortcut.name);
      item.type = "button";
      item.title = shortcut.description || "";
      item.setAttribute("role", "menuitem");
      item.addEventListener("click", () => {
        close();
        say("");
        post("/ui/shortcut", { where: entry.where, callback_id: shortcut.callback_id });
      });
      menu.append(item);
    });
    if (!shortcuts.length) menu.append(el("p", "empty", "This app has no message shortcuts."));
    button.addEventListener("click", () => {
      menu.hidden = !menu.hidden;
      button.setAttribute("aria-expanded", String(!menu.hidden));
      if (!menu.hidden && menu.firstChild) menu.firstChild.focus();
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        close();
        button.focus();
      }
    });
    box.append(button, menu);
    return box;
  }

  function renderMessages(entries) {
    const box = $("messages");
    const wanted = new Set();
    let position = 0;
    let added = null;
    const edited = [];
    for (const entry of entries) {
      const signature = JSON.stringify([entry.text, entry.blocks, entry.edited, entry.author.name, entry.time]);
      wanted.add(entry.key);
      let known = state.nodes.get(entry.key);
      if (!known || known.signature !== signature) {
        const node = renderMessage(entry);
        if (known) known.node.replaceWith(node);
        else added = node;
        if (known && entry.edited) edited.push(node);
        known = { node, signature };
        state.nodes.set(entry.key, known);
      }
      if (box.children[position] !== known.node) box.insertBefore(known.node, box.children[position] || null);
      position += 1;
    }
    for (const [key, known] of state.nodes) {
      if (!wanted.has(key)) {
        known.node.remove();
        state.nodes.delete(key);
      }
    }
    let empty = box.querySelector(".empty");
    if (!entries.length && !empty) {
      empty = el("p", "empty", "No messages yet. Type /quiz now to post the term of the day, or /define drain.");
      box.append(empty);
    } else if (entries.length && empty) {
      empty.remove();
    }
    followMessages(box, added, edited);
  }

  // New messages scroll into view, as in Slack; a message edited soon after a host control was used
  // (the reveal after "Close the open quiz now") is brought into view and flashed, wherever it is.
  function followMessages(box, added, edited) {
    if (added) {
      box.scrollTop = box.scrollHeight;
      return;
    }
    if (!edited.length || Date.now() > state.followEditsUntil) return;
    const node = edited[edited.length - 1];
    node.scrollIntoView({ block: "nearest" });
    node.classList.add("highlight");
    setTimeout(() => node.classList.remove("highlight"), 2000);
  }

  // -- direct messages: what the app sent this person by DM (chat.postMessage to their user id) --

  let directSignature = "";
  function renderDirect(snapshot) {
    const entries = snapshot.direct_messages || [];
    const badge = $("dm-unread");
    if (state.view === "dm") state.directSeen = entries.length;
    const unread = Math.max(0, entries.length - (state.directSeen || 0));
    badge.textContent = unread ? String(unread) : "";
    badge.hidden = !unread;
    $("dm-button").setAttribute("aria-label", unread ? `${snapshot.app.name}, ${unread} unread` : snapshot.app.name);
    const signature = JSON.stringify([snapshot.user, entries]);
    if (signature === directSignature) return;
    directSignature = signature;
    const box = $("dm-messages");
    box.replaceChildren();
    entries.forEach((entry) => box.append(renderMessage(entry)));
    if (!entries.length) box.append(el("p", "empty", `Nothing yet: ${snapshot.app.name} writes here to tell you about your suggestions.`));
    box.scrollTop = box.scrollHeight;
  }

  let homeSignature = "";
  function renderHome(view) {
    const signature = JSON.stringify(view);
    if (signature === homeSignature) return;
    homeSignature = signature;
    const box = $("home");
    box.replaceChildren();
    if (!view) {
      box.append(el("p", "empty", "Opening the Home tab…"));
      return;
    }
    box.append(renderBlocks(view.blocks, { where: { kind: "view", view_id: view.id } }));
  }

  let modalSignature = "";
  function renderModal(modals) {
    const layer = $("modal-layer");
    const view = modals.length ? modals[modals.length - 1] : null;
    const signature = JSON.stringify([view, view && state.errors[view.id]]);
    if (signature === modalSignature) return;
    const wasOpen = !layer.hidden;
    modalSignature = signature;
    if (!wasOpen) state.opener = document.activeElement;
    const typed = wasOpen && view && layer.dataset.viewId === view.id ? typedValues(layer) : null;
    layer.replaceChildren();
    layer.dataset.viewId = view ? view.id : "";
    if (!view) {
      layer.hidden = true;
      if (wasOpen) returnFocus();
      return;
    }
    const dialog = el("div", "modal");
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "modal-title");
    const header = el("header");
    const title = el("h2", "", plain(view.title) || "Study Lab");
    title.id = "modal-title";
    header.append(title);
    const body = el("div", "modal-body");
    body.append(renderBlocks(view.blocks, { where: { kind: "view", view_id: view.id }, errors: state.errors[view.id] }));
    const footer = el("footer");
    const close = el("button", "b-button", plain(view.close) || "Cancel");
    close.type = "button";
    close.addEventListener("click", () => closeModal(view));
    footer.append(close);
    if (view.submit) {
      const submit = el("button", "b-button primary", plain(view.submit));
      submit.type = "button";
      submit.addEventListener("click", () => submitModal(view, dialog));
      footer.append(submit);
    }
    dialog.append(header, body, footer);
    dialog.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeModal(view);
    });
    layer.append(dialog);
    layer.hidden = false;
    if (typed) restoreValues(dialog, typed);
    const refused = typed && body.querySelector(".b-error");
    const first =
      (refused && refused.previousElementSibling && refused.previousElementSibling.querySelector("[data-field-key]")) ||
      body.querySelector("button, select, input, textarea") ||
      close;
    first.focus();
  }

  // Slack keeps what a person typed in a modal while it stays open: when the app refuses a field
  // (response_action: errors) or updates the view, inputs keep their values by block_id.
  function typedValues(layer) {
    const values = new Map();
    layer.querySelectorAll("[data-field-key]").forEach((field) => values.set(field.dataset.fieldKey, field.value));
    return values;
  }

  function restoreValues(dialog, values) {
    dialog.querySelectorAll("[data-field-key]").forEach((field) => {
      if (!values.has(field.dataset.fieldKey)) return;
      const value = values.get(field.dataset.fieldKey);
      if (field.tagName === "SELECT" && ![...field.options].some((o) => o.value === value && !o.disabled)) return;
      field.value = value;
    });
  }

  function returnFocus() {
    const opener = state.opener;
    state.opener = null;
    if (opener && opener.isConnected && opener.offsetParent !== null) opener.focus();
    else $(state.view === "home" ? "home-button" : "message").focus();
  }

  async function closeModal(view) {
    await post("/ui/view/close", { view_id: view.id });
  }

  async function submitModal(view, dialog) {
    const inputs = {};
    dialog.querySelectorAll("[data-input-index]").forEach((field) => {
      inputs[field.dataset.inputIndex] = field.value;
    });
    const answer = await post("/ui/view/submit", { view_id: view.id, inputs });
    state.errors[view.id] = answer.errors || null;
    modalSignature = "";
    if (state.snapshot) renderModal(state.snapshot.modals);
  }

  function renderRefusals(refusals) {
    const list = $("refusals");
    list.replaceChildren();
    refusals.slice(-5).forEach((r) => {
      const detail = r.detail ? ` (${r.detail})` : "";
      list.append(el("li", "", `${r.time} ${r.what}: ${r.error}${detail}`));
    });
    $("refusals-section").hidden = refusals.length === 0;
  }

  function renderPeople(snapshot) {
    const select = $("user");
    if (select.options.length === snapshot.people.length) return;
    select.replaceChildren();
    snapshot.people.forEach((p) => {
      const option = el("option", "", p.admin ? `${p.name} (workspace admin)` : p.name);
      option.value = p.id;
      select.append(option);
    });
    select.value = state.user;
  }

  function renderControls(snapshot) {
    const box = $("controls");
    if (box.dataset.ready) return;
    box.dataset.ready = "yes";
    snapshot.controls.forEach((c) => {
      const button = el("button", "", c.label);
      button.type = "button";
      button.addEventListener("click", async () => {
        button.disabled = true;
        state.followEditsUntil = Date.now() + 5000;
        await post("/ui/control", { name: c.name });
        button.disabled = false;
      });
      box.append(button);
      if (c.description) box.append(el("p", "control-help", c.description));
    });
  }

  function render(snapshot) {
    state.snapshot = snapshot;
    $("workspace").textContent = snapshot.workspace;
    $("clock").textContent = snapshot.clock;
    $("title").textContent = state.view === "channel" ? "# " + snapshot.channel.name : snapshot.app.name;
    $("dm-button").textContent = snapshot.app.name;
    $("channel-button").textContent = "# " + snapshot.channel.name;
    renderPeople(snapshot);
    $("message").disabled = false; // usable once the page knows who is typing
    $("user").disabled = false;
    renderControls(snapshot);
    renderMessages(snapshot.messages);
    renderDirect(snapshot);
    renderHome(snapshot.home);
    renderModal(snapshot.modals);
    renderRefusals(snapshot.refusals);
    const names = snapshot.commands.map((c) => c.name).join(", ");
    $("hint").textContent = `Slash commands: ${names} (add help to any for more). Enter sends.`;
  }

  function show(view) {
    state.view = view;
    $("channel-view").hidden = view !== "channel";
    $("home-view").hidden = view !== "home";
    $("dm-view").hidden = view !== "dm";
    ["home-button", "channel-button", "dm-button"].forEach((id) => $(id).removeAttribute("aria-current"));
    $({ home: "home-button", dm: "dm-button" }[view] || "channel-button").setAttribute("aria-current", "page");
    if (view === "channel") $("messages").scrollTop = $("messages").scrollHeight;
    if (state.snapshot) render(state.snapshot);
  }

  function start() {
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = $("message");
      const text = box.value;
      if (!text.trim()) return;
      box.value = "";
      say("");
      const answer = await post("/ui/say", { text });
      if (!answer.ok && !box.value) box.value = text;
    });
    $("user").addEventListener("change", () => {
      state.user = $("user").value;
      state.errors = {};
      state.directSeen = 0;
      homeSignature = "";
      listen();
      if (state.view === "home") post("/ui/home", {});
    });
    $("home-button").addEventListener("click", () => {
      show("home");
      post("/ui/home", {});
    });
    $("channel-button").addEventListener("click", () => show("channel"));
    $("dm-button").addEventListener("click", () => show("dm"));
    $("messages").addEventListener("click", (event) => {
      const link = event.target.closest("a");
      const match = link && link.href.startsWith(location.origin + "/archives/") && link.href.match(/\/p(\d+)(\d{6})$/);
      if (!match) return;
      event.preventDefault();
      const node = [...document.querySelectorAll("article.message")].find((a) => a.dataset.ts === `${match[1]}.${match[2]}`);
      if (node) {
        node.scrollIntoView({ block: "center" });
        node.classList.add("highlight");
        setTimeout(() => node.classList.remove("highlight"), 2000);
      }
    });
    fetch("/ui/people")
      .then((r) => r.json())
      .then((people) => {
        state.user = people.length ? people[0].id : "";
        listen();
      })
      .catch(() => say("The playground is not reachable."));
  }

  document.addEventListener("DOMContentLoaded", start);
})();
