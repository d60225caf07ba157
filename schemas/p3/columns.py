"""The P3 extract's tables and columns (brief section 9), in the brief's object order.

One entry per P3 table: its columns beyond ``id_<table>`` and ``code_structure``.
The order of the dict is the migration order of section 4; the loader, the
generator and the pipeline all read it from here.
"""

P3_COLUMNS: dict[str, tuple[str, ...]] = {
    # 1. référentiels
    "reference": ("table_name", "niveau", "code", "libelle", "actif", "visible"),
    "utilisateur": (
        "login",
        "nom",
        "prenom",
        "civilite",
        "date_naissance",
        "profil",
        "fonction",
        "actif",
    ),
    # 2. structures
    "structure": (
        "code",
        "id_structure_parent",
        "nom",
        "type",
        "adresse",
        "code_postal",
        "commune",
        "region",
        "telephone",
        "email",
    ),
    "structure_administrative": ("id_structure", "siret", "raison_sociale"),
    "zone_couverture": ("id_structure", "code_commune_insee"),
    # 3. entreprises (partenaires)
    "entreprise": (
        "raison_sociale",
        "siret",
        "code_naf",
        "adresse",
        "code_postal",
        "commune",
        "telephone",
    ),
    "personne_ressource": ("id_entreprise", "nom", "prenom", "email", "telephone", "fonction"),
    "actualite_entreprise": ("id_entreprise", "date_actualite", "libelle"),
    # 4. offres
    "contexte_dossier": ("code", "libelle"),
    "intitule_formation": ("libelle", "organisme", "code_formacode"),
    "rubrique": ("libelle", "theme", "modalite", "utilisation", "acte_service"),
    "service_entreprise": (
        "id_entreprise",
        "intitule_poste",
        "nb_postes",
        "type_contrat",
        "salaire",
        "duree_travail",
        "date_debut",
        "date_fin",
        "statut",
    ),
    # 5. dispositifs
    "dispositif": ("code", "libelle", "niveau", "type", "date_debut", "date_fin"),
    "configuration_dispositif": ("id_dispositif", "parametre", "valeur"),
    # 6. dossiers
    "dossier": (
        "numero",
        "civilite",
        "nom",
        "prenom",
        "date_naissance",
        "email",
        "telephone",
        "identifiant_pe",
        "date_premier_accueil",
        "statut",
        "login_referent",
        "code_connaissance",
    ),
    "adresse": ("id_dossier", "ligne1", "code_postal", "commune", "date_debut"),
    "connaissance": ("id_dossier", "code_connaissance", "date_connaissance"),
    "cursus": ("id_dossier", "niveau_formation", "diplome", "date_fin"),
    "historique_statut": ("id_dossier", "statut", "date_statut"),
    "langue": ("id_dossier", "langue", "niveau"),
    "loisirs": ("id_dossier", "libelle"),
    "moyen_garde": ("id_dossier", "type_garde"),
    "moyen_locomotion": ("id_dossier", "type_locomotion"),
    "permis_conduire": ("id_dossier", "categorie", "date_obtention"),
    "projet": ("id_dossier", "libelle", "date_projet"),
    "rattachement": ("id_dossier", "code_structure_rattachement", "date_debut"),
    "referent": ("id_dossier", "login_referent", "date_debut"),
    "rendez_vous": ("id_dossier", "date_rdv", "objet", "login_conseiller"),
    "ressource": ("id_dossier", "type_ressource", "montant"),
    "situation": ("id_dossier", "code_situation", "code_contrat", "date_debut", "date_fin"),
    "tache": ("id_dossier", "libelle", "date_echeance"),
    # 7. instances de dispositif
    "dispositif_instance": ("id_dossier", "id_dispositif", "date_entree", "date_sortie", "statut"),
    "engagement": ("id_dispositif_instance", "date_engagement", "libelle"),
    "versement": ("id_dispositif_instance", "date_versement", "montant"),
    # 8. propositions
    "actualite_dossier": ("id_dossier", "date_actualite", "type", "libelle"),
    "demande_jeune": ("id_dossier", "date_demande", "libelle"),
    "proposition": (
        "id_dossier",
        "id_rubrique",
        "date_proposition",
        "modalite",
        "id_service_entreprise",
    ),
    # 9. démat
    "demat": ("id_dossier", "type_demat", "type_aide", "date_demande", "statut"),
    "avenant": ("id_demat", "secteur", "date_avenant"),
}


def id_column(table: str) -> str:
    """The P3 identifier column of a table: ``id_<table>``."""
    return f"id_{table}"


def file_columns(table: str) -> tuple[str, ...]:
    """Every column a CSV file of this table may carry, id first."""
    return (id_column(table), "code_structure", *P3_COLUMNS[table])
