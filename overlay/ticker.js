/*
 * The ticker overlay: a queue of messages, each scrolling across the bar once over its duration (seconds,
 * default 10; long texts scroll at most 420 px/s and so take longer). The bar shows while the queue has
 * messages and slides away when it is empty.
 */
;(() => {
  const bar = document.getElementById('ticker')
  const track = document.getElementById('track')
  const text = document.getElementById('text')
  const MAX_SPEED = 420
  const queue = []
  let playing = false

  const next = () => {
    const msg = queue.shift()
    if (!msg) {
      playing = false
      bar.classList.remove('visible')
      return
    }
    playing = true
    bar.classList.add('visible')
    text.textContent = msg.data.text
    const from = track.clientWidth
    const to = -text.scrollWidth
    const seconds = Number(msg.data.duration) > 0 ? Number(msg.data.duration) : 10
    const duration = Math.max(seconds * 1000, ((from - to) / MAX_SPEED) * 1000)
    const run = text.animate([{ transform: `translate(${from}px, -50%)` }, { transform: `translate(${to}px, -50%)` }], {
      duration,
      easing: 'linear',
      fill: 'forwards',
    })
    run.onfinish = next
  }

  window.WB.connect((msg) => {
    if (msg.type !== 'ticker' || !msg.data || !msg.data.text) return
    queue.push(msg)
    if (queue.length > 100) queue.shift()
    if (!playing) next()
  })
})()
