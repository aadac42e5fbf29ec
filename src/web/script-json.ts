/** Data for browser code, as a JSON <script> element's inner HTML: `<` escaped so no text can close the element. */
export const scriptJson = (value: unknown) => ({ __html: JSON.stringify(value).replace(/</g, '\\u003c') });
