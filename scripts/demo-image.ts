/**
 * Demo artwork for the seed and the README walkthrough: a 512×512 PNG drawn from random shapes and
 * colours, so every call gives different bytes (and a different perceptual hash). The registry
 * refuses a file identical to another rights holder's registered work (409 duplicate_work), so a
 * demo that ran before must never hand in the same image again.
 *
 * `npm run -s demo-image -- <file.png>` writes one such image.
 */
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';

const SIZE = 512;

function colour(): string {
  return `hsl(${randomInt(360)}, ${40 + randomInt(50)}%, ${25 + randomInt(50)}%)`;
}

function shape(): string {
  const x = randomInt(SIZE);
  const y = randomInt(SIZE);
  const opacity = (0.35 + randomInt(60) / 100).toFixed(2);
  switch (randomInt(3)) {
    case 0:
      return `<circle cx="${x}" cy="${y}" r="${20 + randomInt(140)}" fill="${colour()}" fill-opacity="${opacity}"/>`;
    case 1:
      return `<rect x="${x - 100}" y="${y - 60}" width="${40 + randomInt(220)}" height="${40 + randomInt(220)}" fill="${colour()}" fill-opacity="${opacity}" transform="rotate(${randomInt(90)} ${x} ${y})"/>`;
    default:
      return `<path d="M${x} ${y} Q${randomInt(SIZE)} ${randomInt(SIZE)} ${randomInt(SIZE)} ${randomInt(SIZE)}" stroke="${colour()}" stroke-width="${6 + randomInt(30)}" fill="none" stroke-opacity="${opacity}"/>`;
  }
}

/** A PNG no earlier call has produced (random shapes over a random gradient). */
export async function demoImage(): Promise<Buffer> {
  const shapes = Array.from({ length: 8 + randomInt(10) }, shape).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/>
  </linearGradient></defs>
  <rect width="${SIZE}" height="${SIZE}" fill="url(#g)"/>${shapes}
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npm run -s demo-image -- <file.png>');
    process.exit(2);
  }
  await writeFile(file, await demoImage());
}
