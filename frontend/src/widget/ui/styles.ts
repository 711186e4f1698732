// The widget's stylesheet, injected as a <style> element into its shadow root (the page's CSP allows inline
// styles, not inline scripts). `:host { all: initial }` keeps the page's inherited styles out; the shadow
// root keeps ours in. Only the two brand colours are variables, and they are checked #rrggbb values.

export function stylesheet(primary: string, onPrimary: string): string {
  return `:host{all:initial}
*{box-sizing:border-box}
.root{--p:${primary};--op:${onPrimary};font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:15px;line-height:1.45;color:#1c2230;-webkit-font-smoothing:antialiased}
button{font:inherit;cursor:pointer}
.launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;border:0;background:var(--p);color:var(--op);box-shadow:0 6px 20px rgba(16,24,40,.25);display:grid;place-items:center;transition:transform .15s ease}
.left .launcher{right:auto;left:20px}
.launcher:hover{transform:scale(1.05)}
.launcher:focus-visible,.btn:focus-visible,.send:focus-visible,.link:focus-visible{outline:none;box-shadow:0 0 0 2px #fff,0 0 0 5px #1c2230}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#c4320a;color:#fff;font-size:12px;font-weight:700;line-height:18px;text-align:center;border:2px solid #fff}
.panel{position:fixed;bottom:92px;right:20px;z-index:2147483001;width:376px;max-width:calc(100vw - 40px);height:min(620px,calc(100vh - 116px));background:#fff;border-radius:16px;box-shadow:0 12px 48px rgba(16,24,40,.28);display:flex;flex-direction:column;overflow:hidden;animation:wsc-in .18s ease-out}
.panel[hidden]{display:none}
.left .panel{right:auto;left:20px}
@keyframes wsc-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}
.head{background:var(--p);color:var(--op);padding:12px 8px 12px 16px;display:flex;align-items:center;gap:10px;flex:none}
.avatar{width:40px;height:40px;border-radius:50%;object-fit:cover;background:rgba(255,255,255,.25);flex:none}
.logo{max-height:34px;max-width:90px;object-fit:contain;flex:none}
.titles{flex:1;min-width:0}
.title{margin:0;font-size:16px;font-weight:650;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sub{margin:0;font-size:13px;display:flex;align-items:center;gap:6px}
.dot{width:8px;height:8px;border-radius:50%;background:#98a2b3;box-shadow:0 0 0 2px rgba(255,255,255,.6)}
.dot.on{background:#12b76a}
.icon{width:38px;height:38px;border-radius:10px;border:0;background:transparent;color:inherit;display:grid;place-items:center;flex:none}
.icon:hover{background:rgba(127,127,127,.22)}
.icon:focus-visible{outline:2px solid currentColor;outline-offset:-3px}
.body{flex:1;overflow-y:auto;padding:16px;background:#f6f7f9;display:flex;flex-direction:column;gap:12px;overscroll-behavior:contain}
.notice{background:#fff;border:1px solid #e4e7ec;border-radius:12px;padding:10px 12px;font-size:14px;color:#344054;margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.greeting{font-size:15px;color:#1c2230}
.log{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:10px}
.msg{display:flex;gap:8px;align-items:flex-end;max-width:86%}
.msg.me{align-self:flex-end;flex-direction:row-reverse}
.bubble{padding:8px 12px;border-radius:16px;background:#fff;border:1px solid #e4e7ec;white-space:pre-wrap;overflow-wrap:anywhere}
.me .bubble{background:var(--p);color:var(--op);border-color:transparent;border-bottom-right-radius:5px}
.them .bubble{border-bottom-left-radius:5px}
.failed .bubble{opacity:.7}
.meta{font-size:12px;color:#5d6778;margin-top:3px}
.me .meta{text-align:right}
.sys{align-self:center;max-width:100%;text-align:center;font-size:13px;color:#5d6778}
.mini{width:28px;height:28px;border-radius:50%;flex:none;object-fit:cover;background:#e4e7ec}
.typing{font-size:13px;color:#5d6778;min-height:19px;margin:0 4px}
.typing span{display:inline-block;animation:wsc-blink 1.2s infinite}
@keyframes wsc-blink{50%{opacity:.3}}
.composer{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #e4e7ec;background:#fff;flex:none;align-items:flex-end}
textarea,input{font:inherit;color:inherit;width:100%;border:1px solid #c4cad4;border-radius:10px;padding:9px 11px;background:#fff;margin:0}
textarea{resize:none;min-height:42px;max-height:140px;display:block}
textarea:focus,input:focus{outline:2px solid #1c2230;outline-offset:0;border-color:#1c2230}
.send{flex:none;width:42px;height:42px;border-radius:10px;border:0;background:var(--p);color:var(--op);display:grid;place-items:center}
.send:disabled{opacity:.5;cursor:default}
.btn{font-weight:600;border:0;border-radius:10px;padding:10px 14px;background:var(--p);color:var(--op)}
.btn:disabled{opacity:.6;cursor:default}
.btn.quiet{background:#fff;color:#1c2230;border:1px solid #c4cad4}
.btn.danger{background:#b42318;color:#fff}
.link{border:0;background:none;color:#1849a9;text-decoration:underline;padding:0;font-size:12px}
.form{display:flex;flex-direction:column;gap:10px;margin:0}
.form h3{margin:0;font-size:16px}
.form p{margin:0;font-size:14px;color:#344054}
label{font-size:13px;font-weight:600;color:#344054;display:flex;flex-direction:column;gap:4px}
.error{color:#b42318;font-size:13px;margin:0}
.ok{color:#067647;font-size:13px;margin:0}
.row{display:flex;gap:8px;justify-content:flex-end;flex-wrap:wrap}
.overlay{position:absolute;inset:0;background:rgba(16,24,40,.45);display:flex;align-items:flex-end}
.sheet{background:#fff;width:100%;padding:18px 16px;border-radius:16px 16px 0 0;display:flex;flex-direction:column;gap:10px}
.sheet h3{margin:0;font-size:16px}
.sheet p{margin:0;color:#344054;font-size:14px}
.callbar{display:flex;align-items:center;gap:8px;flex-wrap:wrap;padding:10px 12px;background:#fff7e6;border-bottom:1px solid #e4e7ec;flex:none;font-size:14px}
.callbar span{flex:1;min-width:140px}
.call{background:#101828;color:#fff;flex:none;display:flex;flex-direction:column}
.call.full{flex:1}
.stage{position:relative;height:210px;background:#000}
.full .stage{flex:1;height:auto}
.remote,.jitsi{width:100%;height:100%;object-fit:contain;display:block}
.local,.inset{position:absolute;right:8px;bottom:8px;width:28%;border-radius:8px;border:2px solid #fff;background:#344054}
.inset{right:auto;left:8px}
.callnote{margin:0;padding:6px 12px 0;font-size:13px}
.elapsed{font-variant-numeric:tabular-nums}
.controls{display:flex;justify-content:center;gap:10px;padding:6px}
.controls .mute[aria-pressed=true]{background:#b42318}
.hang{background:#b42318}
.launcher.ring{animation:wsc-ring 1.2s infinite}
@keyframes wsc-ring{50%{box-shadow:0 0 0 10px rgba(18,183,106,.35)}}
[hidden]{display:none!important}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;margin:-1px}
@media (max-width:480px){.panel{inset:0;width:100%;max-width:none;height:100%;border-radius:0}.open .launcher{display:none}textarea,input{font-size:16px}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
@media print{.root{display:none}}`;
}
