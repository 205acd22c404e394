/*
 * The media overlay: album art, title, artist and a progress bar driven by the display's duration (seconds)
 * and its server timestamp, so an overlay opened mid-track shows the right position. A display with no title,
 * artist or art hides the card; a track whose duration has passed hides it a few seconds after the end.
 */
;(() => {
  const $ = (id) => document.getElementById(id)
  const card = $('card')
  const art = $('art')
  const bar = $('bar')
  const PLACEHOLDER = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6d28d9"/><stop offset="1" stop-color="#db2777"/></linearGradient></defs><rect width="64" height="64" fill="url(#g)"/><path d="M40 14v24.5a6.5 6.5 0 1 1-3-5.5V22l-12 3v17.5a6.5 6.5 0 1 1-3-5.5V19z" fill="#fff" fill-opacity=".9"/></svg>')}`
  const LABELS = { audio: 'Now playing', video: 'Now playing', image: 'On screen' }
  art.addEventListener('error', () => {
    if (art.src !== PLACEHOLDER) art.src = PLACEHOLDER
  })
  let timer = 0
  let hideTimer = 0
  let shownTs = 0

  const hide = () => {
    card.classList.remove('visible')
    clearInterval(timer)
  }

  const show = (msg) => {
    const d = msg.data || {}
    clearInterval(timer)
    clearTimeout(hideTimer)
    if (!d.title && !d.artist && !d.art_url) return hide()
    $('title').textContent = d.title || ''
    $('artist').textContent = d.artist || ''
    $('label').textContent = LABELS[d.media_type] || LABELS.audio
    art.src = d.art_url || PLACEHOLDER
    art.alt = d.title ? `Cover of ${d.title}` : ''
    const duration = Math.max(0, Number(d.duration) || 0)
    card.classList.toggle('no-duration', duration === 0)
    card.classList.add('visible')
    if (duration === 0) return
    const total = duration * 1000
    const elapsedNow = () => Math.min(total, Math.max(0, window.WB.now() - msg.ts))
    const startAt = elapsedNow()
    $('total').textContent = window.WB.clock(duration)
    // The bar runs on a CSS transition from the current position to the end.
    bar.style.transition = 'none'
    bar.style.width = `${(startAt / total) * 100}%`
    void bar.offsetWidth
    bar.style.transition = `width ${(total - startAt) / 1000}s linear`
    bar.style.width = '100%'
    const tick = () => {
      const elapsed = elapsedNow()
      $('elapsed').textContent = window.WB.clock(elapsed / 1000)
      if (elapsed >= total) {
        clearInterval(timer)
        hideTimer = setTimeout(hide, 3000)
      }
    }
    tick()
    timer = setInterval(tick, 250)
  }

  window.WB.connect((msg) => {
    // An older display (e.g. state re-sent after a reconnect) never replaces a newer one.
    if (msg.type !== 'media' || msg.ts < shownTs) return
    shownTs = msg.ts
    show(msg)
  })
})()
