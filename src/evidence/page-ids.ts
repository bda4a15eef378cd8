/** Ids of the page's JSON data blocks (shared by the server, the offline writer and the browser code). */
export const CONFIG_ELEMENT_ID = 'hlh-evidence-config';
export const DATA_ELEMENT_ID = 'hlh-evidence-data';
