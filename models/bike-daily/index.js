// The bundled bike-daily model. `new URL(..., import.meta.url)` lets an app's bundler emit both
// files and hand back their final URLs; in Node these are file: URLs read from disk.
export const bikeDaily = {
  manifest: new URL('./manifest.json', import.meta.url).href,
  model: new URL('./model.onnx', import.meta.url).href,
};

export const bikeDailyTypicalWeather = new URL('./typical-weather.json', import.meta.url).href;
