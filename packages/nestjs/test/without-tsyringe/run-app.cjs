// Boots the app, calls it over HTTP, then tries the tsyringe path; prints what it saw as JSON.
module.exports = async function runApp({ NestFactory, AppModule, registerHaltState, loaded }) {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const answers = {};
  for (const [name, path] of [['small', 'INV-1/10'], ['large', 'INV-2/5000']]) {
    const response = await fetch(`${url}/payments/${path}`, { method: 'POST' });
    const body = await response.json();
    answers[name] = { status: response.status, body: body.paid ? body : { code: body.code } };
  }
  const loadedAfterCalls = loaded();
  await app.close();
  let registered;
  try {
    registerHaltState({ baseUrl: 'http://127.0.0.1:9', tenantId: 'acme', apiKey: 'hs_unused_key' });
    registered = 'registered';
  } catch (error) {
    registered = { name: error.name, message: error.message };
  }
  return { answers, tsyringeLoaded: loadedAfterCalls, registered };
};
