// Renders resources/icon.svg into the PNGs electron-builder packages:
//   resources/icon.png               1024x1024, from which electron-builder derives .icns and .ico
//   resources/icons/<n>x<n>.png      the Linux icon set (hicolor sizes), each rasterised at its own size;
//                                    16-32 px come from icon-small.svg, the same picture redrawn on a 16 px grid
//                                    (the full-size artwork turns to mush below ~48 px)
//
//   node scripts/render-icons.mjs [--chromium /usr/bin/chromium]
//
// Uses playwright-core with a system Chromium (never downloads a browser). The PNGs are committed,
// so this only needs to run after icon.svg changes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resources = join(root, 'resources');
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
const SMALL_MAX = 32;

const flag = process.argv.indexOf('--chromium');
const executablePath = flag >= 0 ? process.argv[flag + 1] : process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const svgDataUrl = (name) => `data:image/svg+xml;base64,${readFileSync(join(resources, name)).toString('base64')}`;
const large = svgDataUrl('icon.svg');
const small = svgDataUrl('icon-small.svg');

const browser = await chromium.launch({
  executablePath,
  args: [
    '--no-sandbox',
    '--headless',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });

  async function render(size) {
    const dataUrl = size <= SMALL_MAX ? small : large;
    await page.setViewportSize({ width: size, height: size });
    // Rasterise the vector at the target size (sharper at 16-32 px than downscaling a big bitmap).
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:transparent">` +
        `<img id="icon" src="${dataUrl}" width="${size}" height="${size}" style="display:block"></body></html>`,
    );
    await page.locator('#icon').evaluate((img) => (img.complete ? null : new Promise((r) => (img.onload = r))));
    return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  }

  writeFileSync(join(resources, 'icon.png'), await render(1024));
  console.log('resources/icon.png');
  mkdirSync(join(resources, 'icons'), { recursive: true });
  for (const size of LINUX_SIZES) {
    writeFileSync(join(resources, 'icons', `${size}x${size}.png`), await render(size));
    console.log(`resources/icons/${size}x${size}.png`);
  }
} finally {
  await browser.close();
}
