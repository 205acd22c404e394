/*
 * The general overlay: HTML supplied by a module (sanitized by browser-source before it gets here) with an
 * optional style object and duration (seconds; absent = until replaced). Empty content clears the panel.
 * An optional clip (a shoutout's) plays below the content in its embedded player when the overlay may
 * autoplay (the clip's `autoplay`, and no `?autoplay=0` on this page's URL); otherwise its thumbnail shows.
 */
;(() => {
  const panel = document.getElementById('panel')
  const pageAutoplay = new URLSearchParams(location.search).get('autoplay') !== '0'
  let hideTimer = 0
  let shownTs = 0

  /** The clip's player (an iframe with Twitch's parent/autoplay/muted parameters) or its thumbnail. */
  const clipElement = (clip) => {
    const box = document.createElement('div')
    box.className = 'clip'
    if (clip.autoplay !== false && pageAutoplay) {
      const src = new URL(clip.embed_url)
      src.searchParams.set('parent', location.hostname)
      src.searchParams.set('autoplay', 'true')
      src.searchParams.set('muted', clip.muted ? 'true' : 'false')
      const frame = document.createElement('iframe')
      frame.id = 'clip-player'
      frame.src = src.toString()
      frame.allow = 'autoplay; fullscreen'
      frame.referrerPolicy = 'no-referrer'
      frame.setAttribute('scrolling', 'no')
      box.append(frame)
    } else if (clip.thumbnail_url) {
      const img = document.createElement('img')
      img.id = 'clip-thumbnail'
      img.src = clip.thumbnail_url
      img.alt = ''
      box.append(img)
    }
    return box
  }

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
    if (d.clip?.embed_url) panel.append(clipElement(d.clip))
    panel.classList.add('visible')
    if (Number.isFinite(remaining)) hideTimer = setTimeout(() => panel.classList.remove('visible'), remaining)
  })
})()
