import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { LabContext } from './lab/LabContext';
import { installTestHook } from './lab/testHook';
import { createBrowserLabSystem } from './lab/system';
import './styles.css';

// The lab lives above the routes: the live connection and the current run survive navigation.
const lab = createBrowserLabSystem();
lab.start();
installTestHook(lab);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LabContext.Provider value={lab}>
      <App />
    </LabContext.Provider>
  </StrictMode>,
);
