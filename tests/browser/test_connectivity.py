"""The connection shown in the sync bar follows the requests: a request that hung while the
network was away and fails after a newer one succeeded does not turn the bar back to 离线."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# fetch is replaced for one Api object's requests: the first hangs until told to fail, the
# second answers at once with JSON, as the server does once the network is back.
LATE_FAILURE = """async () => {
  const { Api } = await import('/static/js/api.js');
  const api = new Api();
  const real = window.fetch;
  let failFirst;
  const calls = [];
  window.fetch = (url) => {
    calls.push(url);
    if (calls.length === 1) {
      return new Promise((_, reject) => {
        failFirst = () => reject(new TypeError('Failed to fetch'));
      });
    }
    return Promise.resolve(new Response('{"results": []}',
      { status: 200, headers: { 'Content-Type': 'application/json' } }));
  };
  const seen = [];
  api.addEventListener('connectivity', () => seen.push(api.reachable));
  try {
    const hung = api.get('/api/sync/pull?stale').catch((error) => error.name);
    await api.get('/api/sync/pull?fresh');
    const afterSuccess = api.reachable;
    failFirst();
    const failure = await hung;
    return { afterSuccess, failure, now: api.reachable, seen };
  } finally {
    window.fetch = real;
  }
}"""


def test_a_late_failure_of_an_older_request_does_not_say_offline(phone, live_server):
    phone.goto(f"{live_server}/app/")
    result = phone.evaluate(LATE_FAILURE)
    assert result["afterSuccess"] is True
    assert result["failure"] == "NetworkError"
    assert result["seen"] == [True]  # never flipped to offline by the stale request
    assert result["now"] is True


def test_a_new_failure_still_says_offline(phone, live_server):
    phone.goto(f"{live_server}/app/")
    result = phone.evaluate(
        """async () => {
          const { Api } = await import('/static/js/api.js');
          const api = new Api();
          const real = window.fetch;
          window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));
          try {
            await api.get('/api/sync/pull').catch(() => null);
            return api.reachable;
          } finally {
            window.fetch = real;
          }
        }"""
    )
    assert result is False
