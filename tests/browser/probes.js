// Measurements the browser tests take inside the page, as a reader's eye would.
// Loaded by test_themes.py before each call; every function returns plain JSON.
window.paramsProbe = (() => {
  const P = {};

  // ---- colours -----------------------------------------------------------------------------
  // Any CSS colour syntax (rgb, hex, color(), oklch, color-mix results) painted on a 1x1 canvas
  // and read back as sRGB bytes: the browser does the parsing.
  const pixel = document.createElement("canvas").getContext("2d", {willReadFrequently: true});
  P.rgba = (css) => {
    pixel.clearRect(0, 0, 1, 1);
    pixel.fillStyle = "rgba(0, 0, 0, 0)";
    pixel.fillStyle = css;
    pixel.fillRect(0, 0, 1, 1);
    const d = pixel.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);

  // The canvas under a page that paints no background: white, or Chrome's dark canvas when the
  // page opts into a dark colour scheme.
  const canvasColour = () => {
    const scheme = getComputedStyle(document.documentElement).colorScheme.split(/\s+/);
    const dark = scheme.includes("dark") &&
      (!scheme.includes("light") || matchMedia("(prefers-color-scheme: dark)").matches);
    return dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
  };

  // The colour behind `el`: its own and its ancestors' backgrounds, composited up to the first
  // opaque one (or the canvas).
  P.background = (el) => {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = P.rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    let bg = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop() : canvasColour();
    while (layers.length) bg = over(layers.pop(), bg);
    return bg;
  };

  const luminance = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  P.contrast = (el) => {
    const bg = P.background(el);
    const fg = over(P.rgba(getComputedStyle(el).color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return {ratio: (hi + 0.05) / (lo + 0.05), fg: fg.slice(0, 3).map(Math.round),
            bg: bg.slice(0, 3).map(Math.round)};
  };

  const label = (el) => {
    const cls = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean).slice(0, 3);
    return el.tagName.toLowerCase() + (cls.length ? "." + cls.join(".") : "") +
      (el.id ? "#" + el.id : "");
  };
  const shown = (el) => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const ownText = (el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim());

  // Every visible element in `root` that carries text (or typeset math), with its contrast.
  P.legibility = (root) => {
    const els = [root, ...root.querySelectorAll("*")].filter((el) =>
      shown(el) && (ownText(el) || el.tagName === "MJX-CONTAINER") &&
      !el.closest("mjx-assistive-mml"));
    const checked = els.slice(0, 600).map((el) => {
      const c = P.contrast(el);
      return {el: label(el), text: (el.textContent || "").trim().slice(0, 40), ...c};
    });
    return {checked: checked.length,
            worst: checked.sort((a, b) => a.ratio - b.ratio).slice(0, 8)};
  };

  // ---- the table ---------------------------------------------------------------------------
  P.box = (el) => {
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, width: r.width, height: r.height};
  };
  P.tableVisible = (table) => ({
    shown: shown(table), ...P.box(table),
    opacity: Math.min(...[...function* () {
      for (let n = table; n && n.nodeType === 1; n = n.parentElement)
        yield parseFloat(getComputedStyle(n).opacity);
    }()]),
  });

  // The boxes of the text itself (not of the <p> around it), line by line.
  const textRects = (cell) => {
    const rects = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      rects.push(...[...range.getClientRects()].filter((r) => r.width > 0));
    }
    return rects;
  };
  const textRight = (cell) => Math.max(...textRects(cell).map((r) => r.right));
  const lineCount = (cell) => new Set(textRects(cell).map((r) => Math.round(r.bottom))).size;
  const NUMBER = /^\d{1,3}(,\d{3})*$/;
  // The "Param #" column: its header, and the body cells under it that hold a plain count.
  P.paramColumn = (table) => {
    const header = [...table.querySelectorAll("thead th, thead td")]
      .find((th) => /Param\s*#/.test(th.textContent));
    if (!header) return {header: null};
    const h = header.getBoundingClientRect();
    const cells = [...table.querySelectorAll("tbody td")].filter((td) => {
      const r = td.getBoundingClientRect();
      return Math.abs(r.left - h.left) < 1 && Math.abs(r.right - h.right) < 1 &&
        NUMBER.test(td.textContent.trim());
    });
    // Where the text sits in its cell: the alignment that applies to it (a theme may set it on
    // the <p> inside) and the room left and right of it.
    const describe = (cell) => {
      const rects = textRects(cell);
      const s = getComputedStyle(cell);
      const r = cell.getBoundingClientRect();
      const left = Math.min(...rects.map((x) => x.left));
      const right = Math.max(...rects.map((x) => x.right));
      const holder = rects.length ? cell.querySelector("p") || cell : cell;
      return {text: cell.textContent.trim(), align: getComputedStyle(holder).textAlign,
              textRight: right,
              leftRoom: left - (r.left + parseFloat(s.paddingLeft) + parseFloat(s.borderLeftWidth)),
              rightRoom: r.right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth) - right,
              lines: lineCount(cell)};
    };
    return {header: describe(header), cells: cells.map(describe)};
  };

  // ---- page width --------------------------------------------------------------------------
  // The elements that cross the right edge of the viewport while their parent does not.
  // Also the page's width without the summaries (`display: none`), so that a theme's own
  // overflow is told apart from ours.
  P.sideways = () => {
    const limit = innerWidth + 1;
    const crossers = [...document.body.querySelectorAll("*")].filter((el) => {
      const r = el.getBoundingClientRect();
      const p = el.parentElement.getBoundingClientRect();
      const box = scrollBox(el);
      const clipped = box && box.getBoundingClientRect().right <= limit;
      return r.width && r.right > limit && p.right <= limit && !clipped && shown(el);
    }).slice(0, 6).map((el) => `${label(el)} right=${Math.round(el.getBoundingClientRect().right)}`);
    const scrollWidth = document.scrollingElement.scrollWidth;
    const ours = [...document.querySelectorAll(".params-model")];
    ours.forEach((el) => el.style.setProperty("display", "none", "important"));
    const withoutUs = document.scrollingElement.scrollWidth;
    ours.forEach((el) => el.style.removeProperty("display"));
    return {scrollWidth, withoutUs, innerWidth, crossers};
  };

  // The nearest box that scrolls `el` sideways: itself (a theme may make display math its own
  // scroll box) or an ancestor. Tables cannot scroll themselves (overflow is ignored on them).
  const scrollBox = (el) => {
    for (let n = el; n && n !== document.body; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (["auto", "scroll"].includes(s.overflowX) && !s.display.includes("table")) return n;
    }
    return null;
  };
  // For each wide thing (table, display equation) in `root`: does it fit, or scroll in a box?
  P.wideThings = (root, selector) => [...root.querySelectorAll(selector)].filter(shown).map((el) => {
    const box = scrollBox(el);
    const room = box ? box.clientWidth : innerWidth;
    const out = {el: label(el), width: el.scrollWidth, room, box: box && label(box)};
    if (box && box.scrollWidth > box.clientWidth + 1) {
      box.scrollLeft = 40;
      out.scrolled = box.scrollLeft > 0;
      box.scrollLeft = 0;
      out.boxRight = box.getBoundingClientRect().right;
    }
    return out;
  });

  // ---- math --------------------------------------------------------------------------------
  P.math = () => {
    const math = [...document.querySelectorAll("span.math, div.math")];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const raw = [];
    const TEX = /\\(times|left|right|frac|cdot|lfloor|rfloor|lceil|rceil|mathrm|text|operatorname)\b|\\\(|\\\[/;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (TEX.test(n.data) && !parent.closest("pre, code, script, style, mjx-container") &&
          shown(parent)) raw.push(n.data.trim().slice(0, 80));
    }
    return {
      mathElements: math.length,
      typeset: math.filter((m) => m.querySelector("mjx-container")).length,
      errors: document.querySelectorAll("mjx-merror").length,
      raw: raw.slice(0, 5),
    };
  };

  return P;
})();
