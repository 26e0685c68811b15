"""City names for the synthetic subscriber base (billing-address spelling).

Per country: (share of the customer base, cities in rough population order).
Within a country a city's weight is Zipf-like in its rank.
"""

COUNTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "DE": (
        0.50,
        (
            "Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart",
            "Düsseldorf", "Leipzig", "Dortmund", "Essen", "Bremen", "Dresden",
            "Hannover", "Nürnberg", "Duisburg", "Bochum", "Wuppertal", "Bielefeld",
            "Bonn", "Münster", "Mannheim", "Karlsruhe", "Augsburg", "Wiesbaden",
            "Mönchengladbach", "Gelsenkirchen", "Aachen", "Braunschweig", "Kiel",
            "Chemnitz", "Halle (Saale)", "Magdeburg", "Freiburg im Breisgau", "Krefeld",
            "Mainz", "Lübeck", "Erfurt", "Oberhausen", "Rostock", "Kassel", "Hagen",
            "Potsdam", "Saarbrücken", "Hamm", "Ludwigshafen am Rhein",
            "Mülheim an der Ruhr", "Oldenburg", "Osnabrück", "Leverkusen", "Heidelberg",
            "Darmstadt", "Solingen", "Regensburg", "Herne", "Paderborn", "Neuss",
            "Ingolstadt", "Offenbach am Main", "Fürth", "Würzburg", "Ulm", "Heilbronn",
            "Pforzheim", "Wolfsburg", "Göttingen", "Bottrop", "Reutlingen", "Koblenz",
            "Bremerhaven", "Recklinghausen", "Erlangen", "Bergisch Gladbach",
            "Remscheid", "Jena", "Trier", "Salzgitter", "Moers", "Siegen", "Hildesheim",
            "Cottbus", "Gütersloh", "Kaiserslautern", "Witten", "Hanau", "Schwerin",
            "Gera", "Esslingen am Neckar", "Ludwigsburg", "Iserlohn", "Düren",
            "Tübingen", "Zwickau", "Flensburg", "Gießen", "Ratingen", "Lünen",
            "Villingen-Schwenningen", "Konstanz", "Marl", "Worms",
        ),
    ),
    "NL": (
        0.20,
        (
            "Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen",
            "Tilburg", "Almere", "Breda", "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem",
            "Enschede", "Amersfoort", "Zaanstad", "'s-Hertogenbosch", "Haarlemmermeer",
            "Zwolle", "Zoetermeer", "Leiden", "Maastricht", "Dordrecht", "Ede",
            "Alphen aan den Rijn", "Leeuwarden", "Alkmaar", "Emmen", "Westland", "Delft",
            "Venlo", "Deventer", "Sittard-Geleen", "Helmond", "Oss", "Amstelveen",
            "Hilversum", "Heerlen", "Purmerend", "Schiedam",
        ),
    ),
    "BE": (
        0.15,
        (
            "Antwerpen", "Gent", "Charleroi", "Liège", "Bruxelles", "Schaerbeek",
            "Anderlecht", "Brugge", "Namur", "Leuven", "Mons", "Mechelen", "Aalst",
            "La Louvière", "Kortrijk", "Hasselt", "Sint-Niklaas", "Oostende", "Tournai",
            "Genk", "Seraing", "Roeselare", "Verviers", "Mouscron", "Beveren",
            "Dendermonde", "Beringen", "Turnhout", "Vilvoorde", "Lokeren",
        ),
    ),
    "AT": (
        0.12,
        (
            "Wien", "Graz", "Linz", "Salzburg", "Innsbruck", "Klagenfurt", "Villach",
            "Wels", "Sankt Pölten", "Dornbirn", "Wiener Neustadt", "Steyr", "Feldkirch",
            "Bregenz", "Leonding", "Klosterneuburg", "Baden", "Wolfsberg", "Leoben",
            "Krems an der Donau", "Traun", "Amstetten", "Lustenau", "Kapfenberg",
            "Mödling",
        ),
    ),
    "LU": (
        0.03,
        ("Luxembourg", "Esch-sur-Alzette", "Differdange", "Dudelange", "Ettelbruck"),
    ),
}

# Other spellings customers type for the same city (exonyms, ASCII
# transliterations).  A minority of a city's customers use one of them.
VARIANTS: dict[str, tuple[str, ...]] = {
    "München": ("Munich", "Muenchen"),
    "Köln": ("Cologne", "Koeln"),
    "Düsseldorf": ("Dusseldorf",),
    "Frankfurt am Main": ("Frankfurt",),
    "Nürnberg": ("Nuremberg",),
    "Den Haag": ("The Hague", "'s-Gravenhage"),
    "Wien": ("Vienna",),
    "Bruxelles": ("Brussel", "Brussels"),
    "Antwerpen": ("Antwerp",),
    "Liège": ("Liege",),
}
