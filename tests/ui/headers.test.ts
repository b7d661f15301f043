import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headerLines, headerValue, parseHeaderLines } from '../../src/renderer/src/lib/headers';

test('request editor headers: "Name: value" lines round-trip, values keep their colons', () => {
  const headers = { 'Content-Type': 'application/json', Authorization: 'Bearer a:b' };
  assert.equal(headerLines(headers), 'Content-Type: application/json\nAuthorization: Bearer a:b');
  assert.deepEqual(parseHeaderLines(headerLines(headers)), headers);
});

test('request editor headers: blank lines and lines without a name are skipped, spaces trimmed', () => {
  assert.deepEqual(parseHeaderLines('\n  X-A :  1 \n: no name\nno colon\nX-B:'), { 'X-A': '1', 'X-B': '' });
});

test('headerValue matches the name in any case', () => {
  assert.equal(headerValue({ 'content-TYPE': 'text/plain' }, 'Content-Type'), 'text/plain');
  assert.equal(headerValue({}, 'Content-Type'), undefined);
});
