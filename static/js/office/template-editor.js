/**
 * Small conveniences for the office's template editor and schedule form. The pages work the
 * same without them: every action is a plain form posted to the server.
 *
 * - A form with data-confirm asks before it is sent (deleting, retiring, deactivating).
 * - The schedule form lists only the locations of the chosen site.
 */

for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

const site = document.getElementById('f-site_id');
const place = document.getElementById('f-location_id');
if (site && place) {
  const groups = Array.from(place.querySelectorAll('optgroup[data-site]'));
  const showSiteLocations = () => {
    for (const group of groups) {
      const shown = group.dataset.site === site.value;
      group.hidden = !shown;
      group.disabled = !shown;
    }
    const chosen = place.selectedOptions[0];
    if (chosen && chosen.parentElement.tagName === 'OPTGROUP' && chosen.parentElement.disabled) {
      place.value = '';
    }
  };
  site.addEventListener('change', showSiteLocations);
  showSiteLocations();
}
