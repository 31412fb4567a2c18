"""Japanese by default, English on request.

Web pages ignore the browser's Accept-Language: a bureau PC set to English
still shows Japanese until its user picks English with the switch (which
sets the language cookie). API clients may still ask for English messages
with Accept-Language.
"""


class JapaneseByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
