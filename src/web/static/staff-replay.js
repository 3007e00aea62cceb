// The staff call page's replay: highlights the transcript turn being heard.
// With a recording it follows the audio player, and a turn's button seeks to
// it; without one, "Replay the call" steps through the turns at their real
// timing. Without JavaScript the page is a plain transcript.
'use strict';

(function () {
  const list = document.querySelector('[data-transcript]');
  if (list === null) return;
  const turns = Array.from(list.querySelectorAll('[data-offset-ms]'));
  const offsets = turns.map((turn) => Number(turn.getAttribute('data-offset-ms')));
  const audio = document.querySelector('audio[data-recording]');
  const replay = document.getElementById('replay');
  const status = document.getElementById('replay-status');
  let current = -1;

  function highlight(ms) {
    const index = offsets.findLastIndex((offset) => offset <= ms);
    if (index === current) return;
    turns.at(current)?.classList.remove('current');
    turns.at(current)?.removeAttribute('aria-current');
    current = index;
    const turn = index >= 0 ? turns.at(index) : undefined;
    if (turn === undefined) return;
    turn.classList.add('current');
    turn.setAttribute('aria-current', 'true');
    turn.scrollIntoView({ block: 'nearest' });
  }

  if (audio !== null) {
    audio.addEventListener('timeupdate', () => {
      highlight(audio.currentTime * 1000);
    });
    audio.addEventListener('seeked', () => {
      highlight(audio.currentTime * 1000);
    });
    for (const button of list.querySelectorAll('button[data-seek]')) {
      button.hidden = false;
      button.addEventListener('click', () => {
        audio.currentTime = Number(button.getAttribute('data-seek')) / 1000;
        highlight(audio.currentTime * 1000);
        void audio.play();
      });
    }
  }

  if (replay === null) return;
  replay.hidden = false;
  let timer;
  replay.addEventListener('click', () => {
    if (audio !== null) {
      audio.currentTime = 0;
      void audio.play();
      return;
    }
    clearInterval(timer);
    const started = performance.now();
    const end = (offsets.at(-1) ?? 0) + 1000;
    status.textContent = 'Replaying…';
    timer = setInterval(() => {
      const elapsed = performance.now() - started;
      highlight(elapsed);
      if (elapsed >= end) {
        clearInterval(timer);
        status.textContent = 'Replay finished.';
      }
    }, 100);
  });
})();
