/*
 * The general overlay: HTML supplied by a module (sanitized by browser-source before it gets here) with an
 * optional style object and duration (seconds; absent = until replaced). Empty content clears the panel.
 */
;(() => {
  const panel = document.getElementById('panel')
  let hideTimer = 0
  let shownTs = 0

  window.WB.connect((msg) => {
    // An older display (e.g. state re-sent after a reconnect) never replaces a newer one.
    if (msg.type !== 'general' || !msg.data || msg.ts < shownTs) return
    shownTs = msg.ts
    clearTimeout(hideTimer)
    const d = msg.data
    const duration = Number(d.duration) > 0 ? Number(d.duration) * 1000 : 0
    const remaining = duration ? duration - (window.WB.now() - msg.ts) : Number.POSITIVE_INFINITY
    if (!d.content || remaining <= 0) {
      panel.classList.remove('visible')
      return
    }
    panel.removeAttribute('style')
    for (const [prop, value] of Object.entries(d.style || {})) panel.style.setProperty(prop, String(value))
    panel.innerHTML = d.content
    panel.classList.add('visible')
    if (Number.isFinite(remaining)) hideTimer = setTimeout(() => panel.classList.remove('visible'), remaining)
  })
})()
