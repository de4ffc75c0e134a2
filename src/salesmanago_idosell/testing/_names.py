"""Polish word lists for the shop generator (names, places, products, categories)."""

from __future__ import annotations

__all__ = [
    "CATEGORY_TREE",
    "CITIES",
    "COURIERS",
    "EMAIL_DOMAINS",
    "FEMALE_FIRST",
    "FIRMS",
    "INVALID_EMAILS",
    "LAST_NAMES",
    "MALE_FIRST",
    "PICKUP_POINTS",
    "PRODUCERS",
    "PRODUCT_ADJECTIVES",
    "PRODUCT_NOUNS",
    "STREETS",
    "ascii_fold",
]

MALE_FIRST = (
    "Łukasz", "Paweł", "Michał", "Krzysztof", "Tomasz", "Jan", "Marek", "Piotr", "Grzegorz",
    "Wojciech", "Mateusz", "Jakub", "Bartłomiej", "Zbigniew", "Andrzej", "Kamil", "Józef",
)  # fmt: skip
FEMALE_FIRST = (
    "Żaneta", "Małgorzata", "Agnieszka", "Katarzyna", "Joanna", "Anna", "Ewa", "Zofia",
    "Łucja", "Barbara", "Magdalena", "Urszula", "Jadwiga", "Aleksandra", "Beata", "Dorota",
)  # fmt: skip
#: (masculine, feminine) last-name forms.
LAST_NAMES = (
    ("Wójcik", "Wójcik"), ("Kowalski", "Kowalska"), ("Nowak", "Nowak"),
    ("Wiśniewski", "Wiśniewska"), ("Gąsiorowski", "Gąsiorowska"), ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"), ("Jabłoński", "Jabłońska"), ("Król", "Król"),
    ("Mazur", "Mazur"), ("Pietrzak", "Pietrzak"), ("Sikora", "Sikora"),
    ("Żółkiewski", "Żółkiewska"),
)  # fmt: skip
#: (city, postcode prefix, province id)
CITIES = (
    ("Warszawa", "00", "PL-14"), ("Kraków", "30", "PL-12"), ("Łódź", "90", "PL-10"),
    ("Wrocław", "50", "PL-02"), ("Poznań", "60", "PL-30"), ("Gdańsk", "80", "PL-22"),
    ("Szczecin", "70", "PL-32"), ("Bydgoszcz", "85", "PL-04"), ("Lublin", "20", "PL-06"),
    ("Białystok", "15", "PL-20"), ("Katowice", "40", "PL-24"), ("Częstochowa", "42", "PL-24"),
    ("Zielona Góra", "65", "PL-08"), ("Bielsko-Biała", "43", "PL-24"),
    ("Świnoujście", "72", "PL-32"),
)  # fmt: skip
STREETS = (
    "ul. Długa", "ul. Źródlana", "ul. Marszałkowska", "al. Jerozolimskie", "ul. Piękna",
    "ul. Żeromskiego", "ul. Mickiewicza", "ul. Słoneczna", "os. Kościuszkowskie", "ul. Ogrodowa",
    "pl. Wolności", "ul. Świętokrzyska", "ul. Łąkowa", "ul. Górna",
)  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "wp.pl", "onet.pl", "o2.pl", "interia.pl", "poczta.fm", "op.pl")
INVALID_EMAILS = (
    "jan.kowalski@", "anna nowak@wp.pl", "marek@@onet.pl", "brak-adresu",
    "zbyszek@gmail", ".kropka@o2.pl",
)  # fmt: skip
FIRMS = ("Hurtownia Żak sp. z o.o.", "P.H.U. Mróz & Syn", "Kwiaciarnia Róża s.c.", "Biuro Łącz")
PRODUCERS = (
    "Wólczanka", "Łódzkie Zakłady Dziewiarskie", "Krosno", "Ćmielów", "Gerlach", "Bolesławiec",
    "Atlas & Co", "Polski Len",
)  # fmt: skip
#: (masculine, feminine) adjective forms.
PRODUCT_ADJECTIVES = (
    ("klasyczny", "klasyczna"), ("elegancki", "elegancka"), ("wygodny", "wygodna"),
    ("sportowy", "sportowa"), ("zimowy", "zimowa"), ("letni", "letnia"), ("lniany", "lniana"),
    ("wełniany", "wełniana"), ("ręcznie malowany", "ręcznie malowana"),
    ("ekologiczny", "ekologiczna"),
)  # fmt: skip
#: Top-level category name -> (noun, feminine?) of the products in it.
PRODUCT_NOUNS = {
    "Odzież damska": (("Sukienka", True), ("Kurtka", True), ("Płaszcz", False)),
    "Dom & Ogród": (("Kubek", False), ("Garnek", False), ("Sekator", False), ("Łopata", True)),
    "Sport i turystyka": (("Plecak", False), ("Bidon", False), ("But", False), ("Torba", True)),
}
COURIERS = ("InPost Paczkomaty 24/7", "DPD", "Poczta Polska", "Orlen Paczka", "GLS", "DHL")
#: (code, name, street, postcode, city)
PICKUP_POINTS = (
    ("WAW12M", "Paczkomat WAW12M", "ul. Grzybowska 5", "00-131", "Warszawa"),
    ("KRA03N", "Paczkomat KRA03N", "ul. Wielicka 28", "30-552", "Kraków"),
    ("LOD45A", "Paczkomat LOD45A", "ul. Piotrkowska 100", "90-004", "Łódź"),
    ("POZ88P", "Paczkomat POZ88P", "ul. Głogowska 12", "60-734", "Poznań"),
    ("GDA21K", "Punkt Odbioru Żabka", "ul. Długa 3", "80-827", "Gdańsk"),
)  # fmt: skip

# Category tree: (name, English name, children). 3-4 levels; names with spaces, "&" and "/".
Tree = tuple[tuple[str, str, "Tree"], ...]
CATEGORY_TREE: Tree = (
    ("Odzież damska", "Women's clothing", (
        ("Sukienki", "Dresses", (
            ("Sukienki letnie", "Summer dresses", ()),
            ("Sukienki wieczorowe", "Evening dresses", (
                ("Długie", "Long", ()), ("Koktajlowe", "Cocktail", ()),
            )),
        )),
        ("Kurtki & płaszcze", "Jackets & coats", (
            ("Wiosna/Lato", "Spring/Summer", ()), ("Jesień i zima", "Autumn and winter", ()),
        )),
    )),
    ("Dom & Ogród", "Home & Garden", (
        ("Kuchnia", "Kitchen", (
            ("Garnki i patelnie", "Pots and pans", ()), ("Porcelana", "Porcelain", ()),
        )),
        ("Ogród", "Garden", (
            ("Narzędzia ogrodowe", "Garden tools", (
                ("Sekatory", "Pruners", ()), ("Łopaty & grabie", "Spades & rakes", ()),
            )),
        )),
    )),
    ("Sport i turystyka", "Sport and travel", (
        ("Obuwie sportowe", "Sports shoes", (
            ("Buty do biegania", "Running shoes", ()), ("Buty trekkingowe", "Trekking shoes", ()),
        )),
        ("Akcesoria", "Accessories", (("Plecaki", "Backpacks", ()), ("Bidony", "Bottles", ()))),
    )),
)  # fmt: skip

_FOLD = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def ascii_fold(text: str) -> str:
    """Polish letters folded to ASCII (``"Łódź"`` -> ``"Lodz"``), for logins and e-mails."""
    return text.translate(_FOLD)
