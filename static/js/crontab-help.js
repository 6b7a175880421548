// The scheduled-job form's crontab translation (django-celery-beat's inline script, as a file so the
// Content-Security-Policy can refuse inline scripts).
(function () {
    const script = document.currentScript;
    const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
    const original = script.dataset.crontabHelp || "";
    const $ = django.jQuery;
    $(".field-crontab_translation").hide();
    $(".field-crontab").change(function () {
        const help = $(".field-crontab .help");
        help.text(original);
        help.append(document.createElement("br"), document.createTextNode("Translation: " + (readable[$("#id_crontab").val()] || "")));
    });
})();
