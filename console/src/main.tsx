import { render } from 'preact';
import { App } from './views/App.js';

render(<App />, document.getElementById('app')!);
