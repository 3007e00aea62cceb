import type { Catalogue } from './en.ts';

/**
 * Every line PermitLine shows or says in Spanish, once (US Spanish, addressing the applicant as usted). Same keys
 * and `{name}` values as the English catalogue (en.ts); test/unit/catalogues.test.ts checks both.
 */
export const es = {
  permitTypes: {
    temporary_food_event: 'Evento temporal de comida',
    mobile_food_unit: 'Unidad móvil de comida',
    cottage_food_operation: 'Producción casera de alimentos',
    food_establishment: 'Establecimiento de comida',
  },
  fields: {
    permitType: {
      label: 'Tipo de permiso',
      ask: 'Elija el tipo de permiso: evento temporal de comida, unidad móvil de comida, producción casera de alimentos o establecimiento de comida.',
    },
    applicantName: {
      label: 'Nombre completo del solicitante',
      ask: 'Díganos el nombre completo de la persona que solicita.',
    },
    businessName: {
      label: 'Nombre del negocio (como aparece en el puesto, el camión o el letrero)',
      ask: 'Díganos el nombre del negocio como aparece en el puesto, el camión o el letrero.',
    },
    entityType: {
      label: 'Tipo de entidad comercial',
      ask: 'Díganos si el negocio es de una persona o propietario único, una sociedad, una LLC, una corporación o una organización sin fines de lucro.',
      options: {
        individual: 'Persona o propietario único',
        partnership: 'Sociedad',
        llc: 'LLC',
        corporation: 'Corporación',
        nonprofit: 'Organización sin fines de lucro',
      },
    },
    contactPhone: {
      label: 'Teléfono de contacto',
      ask: 'Díganos un número de teléfono donde el departamento de salud pueda comunicarse con usted.',
    },
    email: { label: 'Correo electrónico', ask: 'Díganos un correo electrónico, o déjelo en blanco.' },
    healthDistrict: {
      label: 'Distrito de salud',
      ask: 'Elija el distrito de salud donde va a trabajar.',
    },
    menuItems: {
      label: 'Platos del menú (uno por línea)',
      ask: 'Díganos las comidas y bebidas que va a servir.',
    },
    servesTcsFoods: {
      label:
        '¿Sirve alimentos que necesitan control de tiempo o temperatura (por ejemplo carne, lácteos, arroz cocido, melón cortado)?',
      ask: 'Díganos si sirve alimentos que deben mantenerse calientes o fríos por seguridad, como carne, lácteos o arroz cocido.',
    },
    tcsItemCount: {
      label: '¿Cuántos platos de su menú necesitan control de tiempo o temperatura?',
      ask: 'Díganos cuántos platos de su menú deben mantenerse calientes o fríos por seguridad.',
      requiredWhen: 'Solo si sirve esos alimentos.',
    },
    foodPreparation: {
      label: '¿Dónde se prepara la comida?',
      ask: 'Díganos si toda la comida se prepara en el lugar o en una cocina comercial con permiso.',
      options: { on_site: 'Toda en el lugar', commercial_kitchen: 'En una cocina comercial con permiso' },
    },
    commercialKitchenName: {
      label: 'Nombre de la cocina comercial',
      ask: 'Díganos el nombre de la cocina comercial donde se prepara la comida.',
      requiredWhen: 'Solo si la comida se prepara en una cocina comercial.',
    },
    commercialKitchenAddress: {
      label: 'Dirección de la cocina comercial',
      ask: 'Díganos la dirección de la cocina comercial.',
      requiredWhen: 'Solo si la comida se prepara en una cocina comercial.',
    },
    certifiedFoodHandler: {
      label: 'Manipulador o gerente de alimentos certificado (nombre)',
      ask: 'Díganos el nombre del manipulador o gerente de alimentos certificado.',
    },
    attestation: {
      label: 'Confirmo que la información es verdadera y que los inspectores de salud pueden entrar a inspeccionar.',
      ask: 'Confirme que la información es verdadera y que los inspectores de salud pueden entrar a inspeccionar.',
    },
    smsConsent: {
      label: 'Envíenme un mensaje de texto con mi número de referencia',
      ask: 'Díganos si podemos enviarle un mensaje de texto con su número de referencia.',
    },
    eventName: { label: 'Nombre del evento (completo)', ask: 'Díganos el nombre completo del evento.' },
    eventAddress: { label: 'Dirección del evento', ask: 'Díganos la dirección del evento.' },
    eventCoordinatorName: {
      label: 'Nombre del coordinador del evento',
      ask: 'Díganos el nombre del coordinador del evento.',
    },
    eventCoordinatorPhone: {
      label: 'Teléfono del coordinador del evento',
      ask: 'Díganos el número de teléfono del coordinador del evento.',
    },
    eventStartDate: { label: 'Primer día del evento', ask: 'Díganos el primer día del evento.' },
    eventEndDate: { label: 'Último día del evento', ask: 'Díganos el último día del evento.' },
    dailyOpenTime: {
      label: 'Hora de apertura cada día',
      ask: 'Díganos a qué hora abre cada día, por ejemplo 9 a. m.',
    },
    dailyCloseTime: {
      label: 'Hora de cierre cada día',
      ask: 'Díganos a qué hora cierra cada día, por ejemplo 6 p. m.',
    },
    booths: {
      label: 'Número de puestos',
      ask: 'Díganos cuántos puestos va a tener.',
      hint: 'Déjelo en blanco si es un solo puesto.',
    },
    unitType: {
      label: 'Tipo de unidad',
      ask: 'Díganos si la unidad es un camión, un remolque o un carrito.',
      options: { truck: 'Camión', trailer: 'Remolque', cart: 'Carrito' },
    },
    operationMode: {
      label: 'Cómo trabaja la unidad',
      ask: 'Díganos si la unidad recorre una ruta, se queda en un solo lugar o sirve en eventos.',
      options: { route: 'En una ruta', single_location: 'En un solo lugar', events: 'En eventos' },
    },
    commissaryName: {
      label: 'Nombre de la comisaría',
      ask: 'Díganos el nombre de la comisaría desde donde trabaja la unidad.',
    },
    commissaryAddress: { label: 'Dirección de la comisaría', ask: 'Díganos la dirección de la comisaría.' },
    licensePlate: { label: 'Placa', ask: 'Díganos la placa de la unidad, o déjela en blanco.' },
    homeAddress: { label: 'Dirección de la casa', ask: 'Díganos la dirección de la casa donde se hace la comida.' },
    salesChannel: {
      label: 'Dónde vende',
      ask: 'Díganos si vende solo directamente a los clientes, o también por medio de tiendas.',
      options: {
        direct_only: 'Solo directamente a los clientes',
        direct_and_stores: 'Directamente y por medio de tiendas',
      },
    },
    waterSource: {
      label: 'Fuente de agua',
      ask: 'Díganos si el agua viene del servicio público o de un pozo privado.',
      options: { public: 'Servicio público de agua', private_well: 'Pozo privado' },
    },
    establishmentAddress: {
      label: 'Dirección del establecimiento',
      ask: 'Díganos la dirección del establecimiento.',
    },
    openingDate: { label: 'Fecha prevista de apertura', ask: 'Díganos la fecha en que piensa abrir.' },
  },
  kindHints: {
    phone: 'Por ejemplo 212-555-0123.',
    date: 'Por ejemplo 3 de marzo de 2027 o 03/03/2027.',
    time: 'Por ejemplo 9 a. m. o 5:30 p. m.',
  },
  problems: {
    that: 'eso',
    textTooLong: '{label} es demasiado largo; use {max} caracteres o menos.',
    hiddenCharacter:
      '{what} tiene un carácter de control o de dirección del texto que no se ve (suele venir al copiar y pegar); escríbalo de nuevo como texto simple.',
    phoneOutsideNorthAmerica:
      '{label} parece un número de fuera de Estados Unidos y Canadá{where}, y solo podemos aceptar números de Estados Unidos y Canadá; díganos uno con su código de área.',
    phoneNoneHeard:
      'No recibimos un número de teléfono para «{labelLower}»; díganos los diez dígitos, empezando por el código de área.',
    phoneOneDigitHeard:
      'Recibimos 1 dígito para «{labelLower}», y un número de Estados Unidos tiene diez; díganos los diez dígitos, empezando por el código de área.',
    phoneDigitsHeard:
      'Recibimos {count} dígitos para «{labelLower}», y un número de Estados Unidos tiene diez; díganos los diez dígitos, empezando por el código de área.',
    dateOneDay: 'Díganos «{labelLower}» como un solo día.',
    datePast: 'La fecha de «{labelLower}», {date}, ya pasó; díganos una fecha de hoy en adelante.',
    dateRange:
      'Recibimos un periodo, del {start} al {end}; en «{labelLower}» va un solo día, así que díganos solo ese día.',
    dateWeekdayMismatch:
      'El {date} es {dateWeekday}, no {saidWeekday}; ¿quiso decir el {dateWeekday} {day} o el {saidWeekday} {otherDay}?',
    dateUnreadable: 'No pudimos leer {said} como una fecha; díganos una fecha como 3 de marzo de 2027 o 03/03/2027.',
    timeNeedsMeridiem:
      'Recibimos {clock} sin decir si es de la mañana o de la tarde; diga {clock} de la mañana o {clock} de la tarde.',
    timeRange: 'Recibimos de {open} a {close}; en «{labelLower}» va una sola hora, así que díganos solo esa hora.',
    timeUnreadable: 'No pudimos leer {said} como una hora; dígala como 9 de la mañana o 6:30 de la tarde.',
    countRange: '{label}: díganos un número entero del 1 al {max}.',
    emailInvalid: 'Ese correo electrónico no parece correcto; revíselo, o déjelo en blanco.',
    menuItemNotText: 'Cada plato del menú debe escribirse con palabras, como "tacos de res".',
    menuItemWhat: 'Uno de los platos del menú',
    menuItemEmpty: 'Uno de los platos del menú está vacío; escriba el nombre del plato o la bebida.',
    menuItemTooLong: 'Cada plato del menú debe tener {max} caracteres o menos; acórtelo.',
    menuTooLong: 'Escriba como máximo {max} platos del menú; junte los que se parecen.',
    startAfterEnd:
      'El primer día del evento, {first}, es después del último día, {last}; díganos el día en que empieza el evento.',
    endBeforeStart:
      'El último día del evento, {last}, es antes del primer día, {first}; díganos el día en que termina el evento.',
    openSameAsClose: 'La hora de apertura es la misma que la de cierre, {time}; díganos a qué hora abre.',
    closeSameAsOpen: 'La hora de cierre es la misma que la de apertura, {time}; díganos a qué hora cierra.',
    notAField: '"{key}" no forma parte de una solicitud de permiso de comida.',
    notForPermitType: '{label} no corresponde a un permiso de {permitTypeLower}.',
    unusable: 'No pudimos usar esa respuesta; inténtelo de nuevo.',
    alreadySubmitted: 'Esta solicitud ya se envió y ya no se puede cambiar.',
  },
  web: {
    siteName: 'PermitLine',
    brand: '{department} · Solicitudes de permisos de comida',
    departmentName: 'Departamento de Salud',
    languageSwitch: 'Idioma',
    yes: 'Sí',
    no: 'No',
    chooseOption: 'Elija…',
    optional: '{label} (opcional)',
    applyTitle: 'Solicite un permiso de comida',
    applyByPhone: 'También puede solicitarlo por teléfono.',
    applyByPhoneAt: 'También puede solicitarlo por teléfono al {phone}.',
    applyIntro:
      'Las respuestas se revisan al enviar. Para terminar más tarde, use "Guardar y terminar más tarde" y le daremos un enlace a sus respuestas.',
    resumeIntro:
      'Guardamos las respuestas que ya nos dio. Elija el permiso, revise sus respuestas y complete lo que falta.',
    whichPermit: '¿Qué permiso necesita?',
    continue: 'Continuar',
    formTitle: 'Solicitud de permiso: {permitType}',
    pleaseCorrect: 'Corrija: {title}',
    chooseDifferentType: 'Elegir otro tipo de permiso',
    resumeFormIntro: 'Guardamos las respuestas que ya nos dio. Revíselas, complete lo que falta y envíe.',
    groupApplicant: 'Usted y su negocio',
    groupFood: 'Comida',
    groupDeclarations: 'Confirmar y enviar',
    operationTemporaryFoodEvent: 'El evento',
    operationMobileFoodUnit: 'La unidad móvil',
    operationCottageFoodOperation: 'Su cocina en casa',
    operationFoodEstablishment: 'El establecimiento',
    submit: 'Enviar solicitud',
    saveForLater: 'Guardar y terminar más tarde',
    savedTitle: 'Guardamos sus respuestas',
    savedLinkBefore:
      'Para terminar su solicitud, abra este enlace. Funciona durante {days} días, hasta que envíe la solicitud:',
    savedKeepPrivate: 'No comparta el enlace: cualquiera que lo tenga puede ver sus respuestas.',
    savedNotKept: 'Estas respuestas no se guardaron; vuelva a darlas cuando regrese:',
    savedCarryOn: 'Seguir ahora',
    textLinkHeading: 'Enviar el enlace a su teléfono',
    textLinkLabel: 'Número de celular',
    textLinkHint:
      'Un número de Estados Unidos o Canadá que reciba mensajes de texto. Le enviamos un solo mensaje, solo con el enlace.',
    textLinkButton: 'Enviarme el enlace por texto',
    textLinkQueuedTitle: 'Le estamos enviando el enlace',
    textLinkQueued: 'El enlace va en camino a {phone}; puede tardar unos minutos en llegar.',
    textLinkAlready:
      'El enlace de esta solicitud ya se envió por texto, así que no lo enviamos otra vez. Ábralo desde ese mensaje o cópielo de esta página.',
    textLinkLimit:
      'Hoy no podemos enviar más mensajes a {phone}: ya recibió el máximo de mensajes que enviamos en un día. Copie el enlace de esta página.',
    oneProblem: 'Hay un problema en la solicitud',
    manyProblems: 'Hay {count} problemas en la solicitud',
    privacyLinkBefore: 'Cómo usamos y guardamos su información:',
    privacyLinkText: 'aviso de privacidad',
    receivedTitle: 'Solicitud recibida',
    yourReferenceIs: 'Su número de referencia es',
    keepReference: 'Guárdelo: el departamento de salud se lo pedirá cuando se comunique con usted.',
    textWillFollow: 'También se lo enviaremos por mensaje de texto.',
    noTextToday:
      'No podemos enviarlo por mensaje de texto: este número de teléfono ya recibió hoy el máximo de mensajes que enviamos en un día. Anótelo ahora.',
    statusLinkBefore: 'Puede ver el estado de su solicitud en cualquier momento en',
    whatYouSent: 'Lo que envió',
    reviewTitle: 'Solicitud {reference}',
    reviewHeading: 'Su solicitud',
    reviewReference: 'Referencia',
    reviewPermit: 'Permiso',
    reviewReceived: 'Recibida',
    reviewStatus: 'Estado',
    reviewWaiting: 'Recibida, en espera de revisión por el departamento de salud',
    reviewNextStep:
      'El departamento de salud se comunicará con usted sobre el siguiente paso. Dé la referencia cuando llame.',
    foodPermit: 'Permiso de comida',
    errorTitle: 'Algo salió mal',
    pageNotFound: 'No encontramos la página',
    requestRefused: 'No pudimos aceptar esta solicitud',
    startApplication: 'Empezar una solicitud',
    noPageHere: 'No hay ninguna página en esta dirección.',
    linkNotValid: 'Este enlace no es válido. Revise que abrió el enlace completo del mensaje de texto.',
    linkExpiredTitle: 'Este enlace venció',
    linkExpiredText: 'El enlace para terminar su solicitud venció, así que ya no abre sus respuestas.',
    linkExpiredBefore: 'Por favor,',
    linkExpiredStartNew: 'empiece una solicitud nueva',
    linkExpiredAfter: ' o llámenos otra vez para solicitarlo por teléfono.',
    badRequest: 'No pudimos leer la solicitud. Vuelva atrás e inténtelo de nuevo.',
    formExpired:
      'Este formulario venció o no se envió desde nuestro sitio. Vuelva a cargar el formulario e inténtelo de nuevo.',
    formTooLarge:
      'El formulario era demasiado grande. Acorte las respuestas largas, como el menú, e inténtelo de nuevo.',
    serverError:
      'Algo salió mal de nuestro lado. Si vio un número de referencia, su solicitud está a salvo; si no, inténtelo de nuevo en unos minutos.',
    tooManyForms:
      'Se enviaron demasiados formularios desde su conexión, así que este no se envió. Espere {wait}, vuelva al formulario (sus respuestas normalmente siguen ahí) y envíelo de nuevo.',
    tooManyRequests: 'Demasiadas solicitudes desde su conexión. Espere {wait} e inténtelo de nuevo.',
    waitOneMinute: 'un minuto',
    waitMinutes: '{minutes} minutos',
    alreadySentTitle: 'Solicitud ya recibida',
    alreadySentHeading: 'Esta solicitud ya se envió',
    alreadySentText:
      'No tiene que hacer nada más. Guarde la referencia: el departamento de salud se la pedirá cuando se comunique con usted.',
  },
  privacy: {
    title: 'Aviso de privacidad',
    intro:
      'El departamento de salud recibe solicitudes de permisos de comida por teléfono y en este sitio web. Este aviso explica qué guardamos sobre usted, por qué, quién lo maneja y por cuánto tiempo.',
    collectHeading: 'Qué recopilamos',
    collectAnswers:
      'Lo que nos dice para la solicitud: nombres, su negocio, direcciones, números de teléfono, correo electrónico, su menú, fechas y las demás respuestas que pide el formulario.',
    collectCalls:
      'Cuando llama: el número desde el que llama y una transcripción escrita de la llamada, hecha automáticamente.',
    callsRecorded: 'Las llamadas también se graban: se lo decimos antes de conectarle y anotamos cuándo se lo dijimos.',
    callsNotRecorded: 'Las llamadas no se graban.',
    collectTexts: 'Los mensajes de texto que le enviamos y si se entregaron.',
    whyHeading: 'Por qué',
    whyText:
      'Solo para tramitar su solicitud de permiso y comunicarnos con usted sobre ella. No vendemos su información ni la usamos para nada más.',
    whoHeading: 'Quién la maneja',
    whoStaff:
      'El personal del departamento de salud lee las solicitudes y las transcripciones de las llamadas para revisar su solicitud.',
    whoStaffRecorded:
      'El personal del departamento de salud lee las solicitudes y las transcripciones de las llamadas y escucha las grabaciones para revisar su solicitud.',
    whoProcessors:
      'Twilio transmite nuestras llamadas y mensajes de texto. OpenAI opera el asistente automático que habla con usted por teléfono y transcribe la llamada.',
    textsHeading: 'Mensajes de texto',
    textsText:
      'Solo le enviamos mensajes si dice que sí cuando se lo preguntamos, y guardamos cuándo lo dijo y si fue por teléfono o en este sitio web. Responda STOP a cualquiera de nuestros mensajes para dejar de recibirlos, y START para recibirlos de nuevo.',
    keepHeading: 'Cuánto tiempo lo guardamos',
    keepDrafts:
      'Una solicitud que nunca se envió y el registro de cada llamada (su número, la transcripción) se borran {days} días después de su último uso.',
    keepDraftsRecorded:
      'Una solicitud que nunca se envió y el registro de cada llamada (su número, la transcripción, la grabación) se borran {days} días después de su último uso.',
    keepSubmitted:
      'Una solicitud enviada es un registro que el departamento debe conservar. Se guarda el tiempo que exige el calendario de registros del departamento, normalmente algunos años después de que termina el permiso, y puede darse a conocer según la ley de registros públicos, sin los datos personales donde la ley lo permite.',
    protectHeading: 'Cómo la protegemos',
    protectText:
      'Los datos personales, las transcripciones y las grabaciones se guardan cifrados, y solo el personal que ha iniciado sesión puede leerlos. Cada borrado, hecho por el personal o al cumplirse el plazo indicado arriba, queda escrito en un registro de auditoría.',
    choicesHeading: 'Sus opciones',
    choicesText:
      'Puede solicitar en este sitio web en lugar de por teléfono. Para ver o corregir su solicitud, o para pedirnos que borremos sus datos personales donde la ley lo permite, comuníquese con el departamento de salud y dé su número de referencia si lo tiene.',
  },
  values: { yes: 'sí', no: 'no', extension: 'extensión', writtenExtension: 'ext.' },
} satisfies Catalogue;
