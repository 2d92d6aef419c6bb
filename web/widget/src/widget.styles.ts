/** The widget's CSS, inside its shadow root: the host page's styles cannot reach in, ours cannot leak out. */
export const WIDGET_CSS = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
button, input, textarea, select { font: inherit; color: inherit; margin: 0; }
.launcher { position: fixed; right: 20px; bottom: 20px; width: 58px; height: 58px; border-radius: 50%; border: none; padding: 0;
  background: #2f6f4f; color: #fff; box-shadow: 0 4px 16px rgba(0,0,0,.25); cursor: pointer; display: flex; align-items: center; justify-content: center; font-size: 0; }
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.launcher:focus-visible { outline: 3px solid #9bd3b4; outline-offset: 2px; }
.badge { position: absolute; top: -2px; right: -2px; min-width: 20px; height: 20px; border-radius: 10px; background: #d93b3b; color: #fff; font-size: 12px; line-height: 20px; text-align: center; padding: 0 5px; }
.panel { position: fixed; right: 20px; bottom: 90px; width: 360px; max-width: calc(100vw - 24px); height: 540px; max-height: calc(100vh - 110px);
  background: #fff; color: #1d2521; border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden; font-size: 14px; line-height: 1.45; }
.panel[hidden] { display: none; }
.head { background: #2f6f4f; color: #fff; padding: 14px 16px; display: flex; align-items: flex-start; gap: 8px; }
.head .titles { flex: 1; min-width: 0; }
.head h2 { margin: 0; font-size: 16px; font-weight: 600; }
.head p { margin: 2px 0 0; font-size: 12px; opacity: .9; }
.head .x { background: transparent; border: none; color: #fff; cursor: pointer; font-size: 20px; line-height: 1; padding: 2px 6px; border-radius: 6px; }
.head .x:hover { background: rgba(255,255,255,.15); }
.notice { padding: 8px 14px; font-size: 12px; background: #fff6db; color: #6b4f00; border-bottom: 1px solid #f0e2b0; }
.notice.conn { background: #fde8e8; color: #8a1f1f; border-color: #f3c5c5; }
.notice.queue { background: #e8f1fd; color: #1c4a85; border-color: #c7dbf5; }
.notice.away { background: #eef6ee; color: #2d5a31; border-color: #cfe4d1; }
.notice.busy form { display: flex; gap: 6px; margin-top: 6px; }
.notice.busy form[hidden] { display: none; }
.notice.busy input { flex: 1; min-width: 0; font: inherit; padding: 4px 6px; border: 1px solid #d8c98f; border-radius: 4px; }
.notice.busy button { font: inherit; padding: 4px 10px; border: 0; border-radius: 4px; background: #6b4f00; color: #fff; cursor: pointer; }
.notice.busy .hint { display: block; margin-top: 4px; opacity: 0.85; }
.notice[hidden] { display: none; }
.log { flex: 1; overflow-y: auto; padding: 12px 12px 4px; background: #f6f8f7; }
.msg { display: flex; flex-direction: column; margin: 0 0 10px; max-width: 82%; }
.msg.customer { margin-left: auto; align-items: flex-end; }
.msg.agent { margin-right: auto; align-items: flex-start; }
.msg.system { max-width: 100%; align-items: center; text-align: center; font-size: 12px; color: #5b6470; margin: 4px 0 12px; }
.who { font-size: 11px; color: #66736c; margin: 0 4px 2px; }
.bubble { padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; word-break: break-word; overflow-wrap: anywhere; }
.customer .bubble { background: #2f6f4f; color: #fff; border-bottom-right-radius: 4px; }
.agent .bubble { background: #fff; color: #1d2521; border: 1px solid #e1e7e3; border-bottom-left-radius: 4px; }
.bubble img { display: block; max-width: 220px; max-height: 200px; border-radius: 8px; margin-top: 4px; }
.bubble a { color: inherit; }
.file { display: inline-block; margin-top: 4px; }
.status { font-size: 11px; color: #66736c; margin: 2px 4px 0; }
.status.failed { color: #c0392b; }
.typing { font-size: 12px; color: #66736c; padding: 0 14px 6px; min-height: 18px; background: #f6f8f7; font-style: italic; }
.composer { border-top: 1px solid #e1e7e3; padding: 8px; display: flex; gap: 6px; align-items: flex-end; background: #fff; }
.composer textarea { flex: 1; resize: none; border: 1px solid #cfd8d3; border-radius: 10px; padding: 8px 10px; height: 40px; max-height: 110px; font-size: 14px; color: #1d2521; background: #fff; outline: none; }
.composer textarea:focus { border-color: #2f6f4f; }
.icon { border: none; background: transparent; cursor: pointer; width: 36px; height: 36px; border-radius: 8px; display: flex; align-items: center; justify-content: center; color: #2f6f4f; padding: 0; font-size: 0; }
.icon:hover { background: #eef3f0; }
.icon svg { width: 20px; height: 20px; fill: currentColor; }
.send { background: #2f6f4f; color: #fff; }
.send:hover { background: #275d42; }
.error { color: #c0392b; font-size: 12px; padding: 0 12px 6px; background: #fff; }
.error:empty { display: none; }
.prechat { padding: 16px; overflow-y: auto; flex: 1; }
.prechat[hidden], .composer[hidden] { display: none; }
.prechat p { margin: 0 0 12px; }
.prechat label { display: block; font-size: 13px; margin: 0 0 10px; color: #33413a; }
.prechat input[type=text], .prechat input[type=email], .prechat input[type=tel] { display: block; width: 100%; margin-top: 4px; padding: 8px 10px; border: 1px solid #cfd8d3; border-radius: 8px; font-size: 14px; color: #1d2521; background: #fff; }
.prechat fieldset { border: none; padding: 0; margin: 0 0 12px; }
.prechat legend { font-size: 13px; margin-bottom: 6px; color: #33413a; padding: 0; }
.prechat .topics label { display: flex; align-items: center; gap: 8px; margin: 0 0 6px; padding: 8px 10px; border: 1px solid #cfd8d3; border-radius: 8px; cursor: pointer; }
.prechat .topics input { margin: 0; }
/* The start button stays in sight at the bottom of the form however long the form is (a white ring hides the fields passing behind). */
.prechat .start { position: sticky; bottom: 0; width: 100%; padding: 10px; border: none; border-radius: 8px; background: #2f6f4f; color: #fff; font-size: 15px; cursor: pointer;
  box-shadow: 0 0 0 10px #fff; }
.prechat .field-error { color: #c0392b; font-size: 12px; }
.opt { color: #7a8680; font-size: 12px; }
/* Phones: the open chat takes the whole screen (the launcher gives way to the close button); fields at 16px so the browser does not zoom in. */
@media (max-width: 480px) {
  .panel { left: 0; right: 0; top: 0; bottom: 0; width: 100%; max-width: none; height: 100%; max-height: none; border-radius: 0; }
  .launcher[aria-expanded="true"] { display: none; }
  .head { padding: 10px 12px; }
  .head .x { width: 40px; height: 40px; font-size: 24px; }
  .prechat { padding: 12px 14px; }
  .prechat p { margin: 0 0 8px; }
  .prechat label { margin: 0 0 8px; }
  .prechat .topics label { padding: 7px 10px; margin: 0 0 4px; }
  .prechat input[type=text], .prechat input[type=email], .prechat input[type=tel], .composer textarea { font-size: 16px; }
  .prechat .start { padding: 12px; font-size: 16px; }
  .log { overscroll-behavior: contain; }
}
.csat { margin: 8px 4px; padding: 12px; border: 1px solid #cfe3d7; border-radius: 12px; background: #f3faf6; }
.csat-q { margin: 0 0 8px; }
.csat-scores { display: flex; gap: 6px; }
.csat-score { flex: 1; padding: 8px 0; border: 1px solid #2f6f4f; border-radius: 8px; background: #fff; color: #2f6f4f; cursor: pointer; font-weight: 600; }
.csat-score:hover, .csat-score:focus-visible { background: #2f6f4f; color: #fff; }
.csat-ends { display: flex; justify-content: space-between; font-size: 11px; color: #5b6b62; margin: 4px 0 8px; }
.csat-comment { width: 100%; resize: vertical; border: 1px solid #cfd8d3; border-radius: 8px; padding: 6px 8px; }
.csat-error { color: #b42318; margin: 6px 0 0; }
`;
