// The chat page: streams replies from POST /v1/chat/completions (stream: true, server-sent
// events), sends 👍/👎 to POST /v1/feedback and, in comparison mode, asks for two candidates and
// sends the user's pick to POST /v1/preference. Each reply shows the model version that wrote it.
'use strict';

(() => {
  const conversationEl = document.getElementById('conversation');
  const form = document.getElementById('composer');
  const promptEl = document.getElementById('prompt');
  const sendButton = document.getElementById('send');
  const stopButton = document.getElementById('stop');
  const compareBox = document.getElementById('compare');
  const errorEl = document.getElementById('error');
  const maxTokensEl = document.getElementById('max-tokens');
  const temperatureEl = document.getElementById('temperature');
  Sail.bindKeyField(document.getElementById('api-key'));

  // The conversation as the model sees it: user turns and the reply kept for each.
  let history = [];
  let running = null; // AbortController of the streaming request, if any

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text !== undefined) {
      el.textContent = text;
    }
    return el;
  }

  function showError(message) {
    errorEl.textContent = message;
    errorEl.hidden = !message;
  }

  function scrollToEnd() {
    conversationEl.scrollTop = conversationEl.scrollHeight;
  }

  // ------------------------------------------------------------------ streaming

  /**
   * Posts the request and calls `onChoice(choice)` for every choice of every SSE chunk, in order.
   * Resolves at `data: [DONE]`; rejects on an HTTP error, an in-band error event or a stream that
   * ends early.
   */
  async function streamChat(body, signal, onChoice) {
    const response = await Sail.request('POST', '/v1/chat/completions', body, signal);
    const finished = await Sail.readEvents(response.body, (data) => {
      if (data === '[DONE]') {
        return false;
      }
      const chunk = JSON.parse(data);
      if (chunk.error) {
        throw new Error(chunk.error.message);
      }
      for (const choice of chunk.choices || []) {
        onChoice(choice);
      }
      return true;
    });
    if (!finished) {
      throw new Error('the stream ended before [DONE]');
    }
  }

  // ------------------------------------------------------------------ one reply

  /** A reply bubble that fills while its candidate streams. */
  function createReply(index) {
    const el = element('div', 'reply');
    el.dataset.index = String(index);
    el.dataset.state = 'streaming';
    el.dataset.chunks = '0';
    const text = element('div', 'text');
    const meta = element('div', 'meta', 'writing…');
    const actions = element('div', 'actions');
    el.append(text, meta, actions);
    return {el, text, meta, actions, content: ''};
  }

  function appendDelta(reply, choice) {
    reply.el.dataset.id = choice.id;
    const delta = choice.delta && choice.delta.content;
    if (delta) {
      reply.content += delta;
      reply.text.textContent = reply.content;
      reply.el.dataset.chunks = String(Number(reply.el.dataset.chunks) + 1);
    }
    if (choice.finish_reason) {
      reply.el.dataset.state = 'done';
      reply.el.dataset.version = String(choice.model_version);
      reply.meta.textContent = `model v${choice.model_version} · ${choice.finish_reason}`;
      if (!reply.content) {
        reply.text.append(element('em', 'empty', '(empty reply)'));
      }
    }
  }

  function failReply(reply, message) {
    reply.el.dataset.state = 'error';
    reply.meta.textContent = message;
  }

  /** 👍/👎 for a finished reply; the ack says what the server stored. */
  function addRatingButtons(reply) {
    const ack = element('span', 'ack');
    const buttons = {};
    for (const [rating, label] of [['up', '👍'], ['down', '👎']]) {
      const button = element('button', 'rate', label);
      button.type = 'button';
      button.dataset.rating = rating;
      button.title = rating === 'up' ? 'Good reply' : 'Bad reply';
      button.setAttribute('aria-label', button.title);
      button.addEventListener('click', async () => {
        ack.textContent = 'saving…';
        try {
          const result = await Sail.postJson('/v1/feedback', {id: reply.el.dataset.id, rating});
          buttons.up.classList.toggle('selected', rating === 'up');
          buttons.down.classList.toggle('selected', rating === 'down');
          ack.textContent = result.replaced ? `changed to ${label}` : `thanks, ${label} saved`;
          ack.dataset.rating = result.rating;
        } catch (e) {
          ack.textContent = 'not saved: ' + e.message;
        }
      });
      buttons[rating] = button;
    }
    reply.actions.append(buttons.up, buttons.down, ack);
  }

  /** "Better" buttons on two finished candidates; the pick is sent as a preference. */
  function addPreferenceButtons(turn, replies, keep) {
    const ack = element('p', 'ack compare-ack', 'Which reply is better?');
    turn.append(ack);
    for (const reply of replies) {
      const button = element('button', 'prefer', 'This one is better');
      button.type = 'button';
      button.addEventListener('click', async () => {
        const other = replies.find((r) => r !== reply);
        ack.textContent = 'saving…';
        try {
          const result = await Sail.postJson('/v1/preference', {
            chosen: reply.el.dataset.id,
            rejected: other.el.dataset.id,
          });
          reply.el.classList.add('chosen');
          reply.el.classList.remove('rejected');
          other.el.classList.add('rejected');
          other.el.classList.remove('chosen');
          ack.textContent = result.replaced ? 'preference changed' : 'thanks, preference saved';
          ack.dataset.chosen = result.chosen;
          keep(reply.content);
        } catch (e) {
          ack.textContent = 'not saved: ' + e.message;
        }
      });
      reply.actions.append(button);
    }
  }

  // ------------------------------------------------------------------ one turn

  async function send(text) {
    showError('');
    document.getElementById('empty-hint')?.remove();
    const compare = compareBox.checked;
    const n = compare ? 2 : 1;
    conversationEl.append(element('div', 'message user', text));
    const turn = element('div', 'turn' + (compare ? ' compare' : ''));
    // 'streaming' until the stream has ended and the turn's buttons are in place ('done'), the
    // user stopped it ('stopped') or it failed ('error'); the replies' own states change as soon
    // as their last chunk arrives, before the page takes a new prompt
    turn.dataset.state = 'streaming';
    const candidates = element('div', 'candidates');
    turn.append(candidates);
    conversationEl.append(turn);
    const replies = [];
    for (let i = 0; i < n; i++) {
      replies.push(createReply(i));
      candidates.append(replies[i].el);
    }
    scrollToEnd();

    history.push({role: 'user', content: text});
    // the reply the conversation goes on from: the first candidate until the user picks one
    const assistant = {role: 'assistant', content: ''};
    const body = {
      messages: history.slice(),
      stream: true,
      n,
      max_tokens: Number(maxTokensEl.value) || undefined,
      temperature: temperatureEl.value === '' ? undefined : Number(temperatureEl.value),
    };
    running = new AbortController();
    setRunning(true);
    try {
      await streamChat(body, running.signal, (choice) => {
        appendDelta(replies[choice.index], choice);
        scrollToEnd();
      });
      assistant.content = replies[0].content;
      history.push(assistant);
      if (compare) {
        addPreferenceButtons(turn, replies, (content) => (assistant.content = content));
      } else {
        addRatingButtons(replies[0]);
      }
      turn.dataset.state = 'done';
    } catch (e) {
      const stopped = e.name === 'AbortError';
      turn.dataset.state = stopped ? 'stopped' : 'error';
      const message = stopped ? 'stopped' : e.message;
      for (const reply of replies) {
        if (reply.el.dataset.state === 'streaming') {
          failReply(reply, message);
        }
      }
      if (!stopped) {
        showError(message);
      }
      // an unanswered turn is not sent again as context
      history.pop();
    } finally {
      running = null;
      setRunning(false);
    }
  }

  function setRunning(busy) {
    sendButton.disabled = busy;
    stopButton.hidden = !busy;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = promptEl.value.trim();
    if (!text || running) {
      return;
    }
    promptEl.value = '';
    send(text);
  });
  promptEl.addEventListener('keydown', (event) => {
    // Enter while an input method is composing a character belongs to the input method
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  stopButton.addEventListener('click', () => running && running.abort());
  document.getElementById('clear').addEventListener('click', () => {
    if (running) {
      running.abort();
    }
    history = [];
    conversationEl.replaceChildren();
    showError('');
  });
})();
