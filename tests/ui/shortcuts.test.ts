import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandFor, isTextEntry, matchesQuery } from '../../src/renderer/src/lib/shortcuts';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});
const el = (tagName: string, attrs: Record<string, string> = {}, isContentEditable = false) => ({
  tagName,
  isContentEditable,
  getAttribute: (name: string) => attrs[name] ?? null,
});

describe('keyboard shortcuts', () => {
  test('Ctrl+K and Cmd+K open the palette, even from a text field', () => {
    assert.equal(commandFor(key('k', { ctrlKey: true }), false), 'palette');
    assert.equal(commandFor(key('K', { metaKey: true }), true), 'palette');
    assert.equal(commandFor(key('k', { ctrlKey: true, altKey: true }), false), null);
  });

  test('single keys act only outside text fields', () => {
    assert.equal(commandFor(key('?'), false), 'shortcuts');
    assert.equal(commandFor(key('/'), false), 'filter');
    assert.equal(commandFor(key('j'), false), 'next');
    assert.equal(commandFor(key('k'), false), 'previous');
    for (const k of ['?', '/', 'j', 'k']) assert.equal(commandFor(key(k), true), null, `"${k}" typed into a field stays text`);
  });

  test('other keys and modified letters do nothing', () => {
    assert.equal(commandFor(key('x'), false), null);
    assert.equal(commandFor(key('j', { ctrlKey: true }), false), null);
    assert.equal(commandFor(key('/', { altKey: true }), false), null);
  });

  test('text fields are inputs that take text, text areas, selects and editable elements', () => {
    assert.equal(isTextEntry(el('INPUT')), true);
    assert.equal(isTextEntry(el('INPUT', { type: 'search' })), true);
    assert.equal(isTextEntry(el('INPUT', { type: 'checkbox' })), false);
    assert.equal(isTextEntry(el('TEXTAREA')), true);
    assert.equal(isTextEntry(el('SELECT')), true);
    assert.equal(isTextEntry(el('DIV', {}, true)), true);
    assert.equal(isTextEntry(el('A')), false);
    assert.equal(isTextEntry(null), false);
  });
});

describe('command palette filter', () => {
  const cmd = { label: 'Go to queue email-sends', hint: 'my-project · us-central1' };

  test('every typed term must appear, in any order, in the label or hint', () => {
    assert.equal(matchesQuery(cmd, ''), true);
    assert.equal(matchesQuery(cmd, 'email'), true);
    assert.equal(matchesQuery(cmd, 'CENTRAL email'), true);
    assert.equal(matchesQuery(cmd, 'email europe'), false);
  });
});
