/**
 * Cuts from Lit's production build the features <iamport-pay-button> cannot reach, for the two
 * standalone builds only (the compiled module in dist/lib imports Lit untouched, and the browser
 * tests run on Lit's development build, untouched too).
 *
 * Each cut is an exact piece of Lit's published code. When Lit changes and a piece is no longer
 * there, the build stops and says which: review that cut against the new code, then update or
 * drop it. Each cut is whole on its own, so dropping one leaves Lit consistent.
 *
 * A cut is kept only while our own code cannot use what it removes: `forbids` is checked against
 * src/ on every build, so using one of these features again stops the build and names the cut to
 * drop (tests run on src/ with Lit untouched, so they would not notice).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Plugin } from "vite";

interface Cut {
  why: string;
  /** Lit's file, matched on the end of its path. */
  file: string;
  pieces: [from: string, to: string][];
  /** Our sources must not match this (the feature the cut removes). */
  forbids?: RegExp;
}

export const cuts: Cut[] = [
  {
    why: "controllers (addController): the element uses none",
    file: "@lit/reactive-element/reactive-element.js",
    pieces: [
      [
        "addController(t){(this._$EO??=new Set).add(t),void 0!==this.renderRoot&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}",
        "",
      ],
      [",this._$EO?.forEach(t=>t.hostConnected?.())", ""],
      [
        "disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}",
        "disconnectedCallback(){}",
      ],
      [",this._$EO?.forEach(t=>t.hostUpdate?.())", ""],
      ["this._$EO?.forEach(t=>t.hostUpdated?.()),", ""],
    ],
    forbids: /addController|ReactiveController/,
  },
  {
    why: "decorators (initializers, Symbol.metadata): the element declares `static properties`",
    file: "@lit/reactive-element/reactive-element.js",
    pieces: [
      ['Symbol.metadata??=Symbol("metadata"),a.litPropertyMetadata??=new WeakMap;', ""],
      ["static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}", ""],
      [",void 0!==t.l&&(this.l=[...t.l])", ""],
      [",this.constructor.l?.forEach(t=>t(this))", ""],
      [
        "const t=this[Symbol.metadata];if(null!==t){const s=litPropertyMetadata.get(t);if(void 0!==s)for(const[t,i]of s)this.elementProperties.set(t,i)}",
        "",
      ],
    ],
    forbids: /lit\/decorators|addInitializer|@(property|state|customElement)\(/,
  },
  {
    why: "Object and Array attributes (JSON): every attribute is a string, number or boolean",
    file: "@lit/reactive-element/reactive-element.js",
    pieces: [
      [";case Object:case Array:t=null==t?t:JSON.stringify(t)", ""],
      [";case Object:case Array:try{i=JSON.parse(t)}catch(t){i=null}", ""],
    ],
    forbids: /type:\s*(Object|Array)\b/,
  },
  {
    why: "hooks for the ShadyDOM polyfills and the global version lists (no browser that runs ES2022 needs them)",
    file: "@lit/reactive-element/reactive-element.js",
    pieces: [
      ["p=a.reactiveElementPolyfillSupport,", ""],
      [',p?.({ReactiveElement:y}),(a.reactiveElementVersions??=[]).push("2.1.2")', ""],
    ],
  },
  {
    why: "the same hooks in LitElement (its SSR hydration hook stays)",
    file: "lit-element/lit-element.js",
    pieces: [
      ["const o=s.litElementPolyfillSupport;o?.({LitElement:i});", ""],
      [';(s.litElementVersions??=[]).push("4.2.2")', ""],
    ],
  },
  {
    why: "the same hooks in lit-html",
    file: "lit-html/lit-html.js",
    pieces: [[',B=t.litHtmlPolyfillSupport;B?.(S,k),(t.litHtmlVersions??=[]).push("3.3.3")', ""]],
  },
  {
    why: "directives: our templates bind plain values, so resolving one is the value itself",
    file: "lit-html/lit-html.js",
    pieces: [
      [
        "function M(t,i,s=t,e){if(i===E)return i;let h=void 0!==e?s._$Co?.[e]:s._$Cl;const o=a(i)?void 0:i._$litDirective$;return h?.constructor!==o&&(h?._$AO?.(!1),void 0===o?h=void 0:(h=new o(t),h._$AT(t,s,e)),void 0!==e?(s._$Co??=[])[e]=h:s._$Cl=h),void 0!==h&&(i=M(t,h._$AS(t,i.values),h,e)),i}",
        "function M(t,i){return i}",
      ],
    ],
    forbids: /lit\/(async-)?directives?\b|lit\/directive-helpers|lit-html\/(async-)?directives?\b/,
  },
  {
    why: "SVG and MathML templates: ours are HTML",
    file: "lit-html/lit-html.js",
    pieces: [
      ['l=2===i?"<svg>":3===i?"<math>":""', 'l=""'],
      ['+(2===i?"</svg>":3===i?"</math>":"")', ""],
      [
        "if(this.el=S.createElement(f,e),P.currentNode=this.el.content,2===i||3===i){const t=this.el.content.firstChild;t.replaceWith(...t.childNodes)}",
        "this.el=S.createElement(f,e),P.currentNode=this.el.content;",
      ],
    ],
    forbids: /\b(svg|mathml)`/,
  },
  {
    why: "bindings inside <script>, <style>, <textarea> or <title>: our templates have none",
    file: "lit-html/lit-html.js",
    pieces: [
      [
        'if(y.test(r.tagName)){const t=r.textContent.split(o),i=t.length-1;if(i>0){r.textContent=s?s.emptyScript:"";for(let s=0;s<i;s++)r.append(t[s],c()),P.nextNode(),d.push({type:2,index:++l});r.append(t[i],c())}}',
        "",
      ],
    ],
    forbids: /<(script|style|textarea|title)\b/i,
  },
  {
    why: "property (.prop=) and element bindings (an expression inside a tag): our templates bind attributes, booleans, events and text",
    file: "lit-html/lit-html.js",
    pieces: [
      ['ctor:"."===e[1]?I:"?"===e[1]', 'ctor:"?"===e[1]'],
      ["else t.startsWith(o)&&(d.push({type:6,index:l}),r.removeAttribute(t))", ""],
      [
        "1===r.type?i=new r.ctor(h,r.name,r.strings,this,t):6===r.type&&(i=new Z(h,this,t))",
        "1===r.type&&(i=new r.ctor(h,r.name,r.strings,this,t))",
      ],
      [
        "class I extends H{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===A?void 0:t}}",
        "",
      ],
      [
        "class Z{constructor(t,i,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=i,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){M(this,t)}}",
        "",
      ],
      // lit-html's private exports for Lit's SSR name both classes; nothing here imports them.
      ["const j={M:h,P:o,A:n,C:1,L:N,R,D:d,V:M,I:k,H,N:L,U:z,B:I,F:Z}", "const j={}"],
    ],
    forbids:
      /\s\.[A-Za-z]\w*=\$\{|<[a-z][\w-]*\s[^>]*\s\$\{|lit\/directives?\b|lit\/(async-)?directive/,
  },
];

function sources(dir: URL): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(new URL(`${entry.name}/`, dir))
      : entry.name.endsWith(".ts")
        ? [readFileSync(new URL(entry.name, dir), "utf8")]
        : [],
  );
}

export function litTrim(src: URL): Plugin {
  return {
    name: "lit-trim",
    apply: "build",
    buildStart() {
      const code = sources(src).join("\n");
      for (const cut of cuts) {
        if (cut.forbids?.test(code)) {
          this.error(`lit-trim: src/ now uses what a cut removes (${cut.why}); drop that cut`);
        }
      }
    },
    transform(code, id) {
      const mine = cuts.filter((cut) => id.endsWith(`/node_modules/${cut.file}`));
      if (mine.length === 0) return null;
      let out = code;
      for (const cut of mine) {
        for (const [from, to] of cut.pieces) {
          const at = out.indexOf(from);
          if (at < 0 || out.indexOf(from, at + 1) >= 0) {
            this.error(
              `lit-trim: ${cut.file} changed (${cut.why}): "${from.slice(0, 60)}…" is not there once; update or drop the cut in scripts/lit-trim.ts`,
            );
          }
          out = out.slice(0, at) + to + out.slice(at + from.length);
        }
      }
      return { code: out, map: null };
    },
  };
}
