import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { LabContext } from './lab/LabContext';
import { installTestHook } from './lab/testHook';
import { createBrowserLabSystem } from './lab/system';
import { isStudentPath } from './routing';
import './styles.css';

// The lab lives above the routes: the live connection and the current run survive navigation.
const lab = createBrowserLabSystem();
// The student page (/join) has its own endpoints: the presenter's /api/live refuses phones
// (403), and the connection would retry it forever.
lab.start({ connect: !isStudentPath(window.location.pathname) });
installTestHook(lab);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LabContext.Provider value={lab}>
      <App />
    </LabContext.Provider>
  </StrictMode>,
);
