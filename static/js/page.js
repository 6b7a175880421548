// Small behaviours of every page, bound here because the Content-Security-Policy refuses inline
// on*= handlers: data-autosubmit submits its form on change, data-select-on-click selects its text.
document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
});
document.addEventListener("click", (event) => {
    const field = event.target.closest("[data-select-on-click]");
    if (field) field.select();
});
